// Package bench holds the tooling of the scale benchmark (BenchmarkScale in cli, run by
// make bench): the scaled sample, k cities of the Liaocheng year, and the cost chart drawn
// for docs/scale.png. It is internal and imported only by tests: nothing of it ships in
// the plantrack binary.
package bench
