// Package demoidptest helps tests run against the built-in provider (package demoidp): start one on
// loopback with options and faults, the demo clients' ids and secrets, a browser that acts as the
// signed-in demo user, the demo keys, the BlockID proof JWT, and clocks for providers that must not
// follow the wall clock.
//
// Like demoidp itself it imports nothing of the client (package flows): the provider is the check
// on the client, and a helper that borrowed the client's code would check the client against
// itself. TestProviderIsIndependent in package demoidp keeps it so.
package demoidptest
