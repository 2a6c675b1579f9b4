//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"os"
	"syscall"
)

// terminatingSignals are the signals whose default action ends the process
// (signal(7)) and that a process can catch. SIGKILL and SIGSTOP cannot be;
// the stop signals (SIGTSTP, SIGTTIN, SIGTTOU) suspend rather than end.
var terminatingSignals = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2,
	syscall.SIGALRM, syscall.SIGVTALRM, syscall.SIGPROF, syscall.SIGXCPU, syscall.SIGXFSZ, syscall.SIGPIPE,
	syscall.SIGABRT, syscall.SIGTRAP, syscall.SIGSYS, syscall.SIGIO,
}
