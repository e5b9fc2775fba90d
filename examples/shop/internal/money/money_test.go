package money

import "testing"

func TestString(t *testing.T) {
	cases := []struct {
		desc string
		in   Cents
		want string
	}{
		{"zero", 0, "0.00 EUR"},
		{"cents only", 7, "0.07 EUR"},
		{"whole and cents", 1250, "12.50 EUR"},
		{"negative", -305, "-3.05 EUR"},
	}
	for _, c := range cases {
		if got := c.in.String(); got != c.want {
			t.Errorf("%s: Cents(%d).String() = %q, want %q", c.desc, int64(c.in), got, c.want)
		}
	}
}

func TestSumTimes(t *testing.T) {
	if got := Sum(Cents(250).Times(3), 99); got != 849 {
		t.Errorf("Sum = %d, want 849", got)
	}
}
