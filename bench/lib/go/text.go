package fleetpkg

import (
	"sort"
	"strings"
	"unicode"
)

// minWord is the shortest token Tokenize keeps.
const minWord = 3

// WordCount is one word and how often it occurs.
type WordCount struct {
	Word  string
	Count int
}

// Tokenize splits s into lower-case words of letters and digits, dropping short ones.
func Tokenize(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := fields[:0]
	for _, f := range fields {
		if len(f) >= minWord {
			out = append(out, strings.ToLower(f))
		}
	}
	return out
}

// TopWords returns the n most frequent words, ties in alphabetical order.
func TopWords(s string, n int) []WordCount {
	freq := map[string]int{}
	for _, w := range Tokenize(s) {
		freq[w]++
	}
	list := make([]WordCount, 0, len(freq))
	for w, c := range freq {
		list = append(list, WordCount{w, c})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Count != list[j].Count {
			return list[i].Count > list[j].Count
		}
		return list[i].Word < list[j].Word
	})
	if len(list) > n {
		list = list[:n]
	}
	return list
}
