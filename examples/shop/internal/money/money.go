// Package money is used by the orders service only. Amounts are integer cents
// because float arithmetic would make totals drift by fractions of a cent.
package money

import "fmt"

// Cents is an amount of money in the smallest unit of its currency.
type Cents int64

// Times multiplies a unit price by a quantity.
func (c Cents) Times(quantity int) Cents {
	return c * Cents(quantity)
}

// String formats the amount as "12.50 EUR"; the shop sells in one currency.
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d EUR", sign, c/100, c%100)
}

// Sum adds amounts.
func Sum(amounts ...Cents) Cents {
	var total Cents
	for _, a := range amounts {
		total += a
	}
	return total
}
