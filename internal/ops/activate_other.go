//go:build !amd64 || purego

package ops

// hasActivate8 is false: activate8 is amd64 assembly.
const hasActivate8 = false

// activate8 is never called where hasActivate8 is false.
func activate8(x *float32, n int, c *[constRows][8]float32) {}
