package mpi

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Launched reports whether this process was started by Open MPI's mpirun
// (or mpiexec), which sets OMPI_COMM_WORLD_SIZE and OMPI_COMM_WORLD_RANK in
// each rank's environment. It looks at the environment only, so it works in
// both builds.
func Launched() bool {
	_, size := os.LookupEnv("OMPI_COMM_WORLD_SIZE")
	_, rank := os.LookupEnv("OMPI_COMM_WORLD_RANK")
	return size && rank
}

// localEnv is what Command adds to the environment, each variable only
// where the caller's environment does not set it already: mpirun refuses
// to run as root without the first two, and the last two keep Open MPI to
// shared memory (vader) and loopback (self), which on one machine cuts its
// start-up from about a second, spent probing network transports, to tens
// of milliseconds.
var localEnv = []string{
	"OMPI_ALLOW_RUN_AS_ROOT=1",
	"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1",
	"OMPI_MCA_pml=ob1",
	"OMPI_MCA_btl=vader,self",
}

// Command returns the command that runs np copies of name with args on
// this machine under mpirun --oversubscribe (more ranks than cores is
// allowed), with localEnv's variables added to the current environment.
// When ctx is done, mpirun gets SIGTERM, which it passes on to the ranks
// before it exits, and SIGKILL 5 s later if it is still running. It is pure
// Go: the default build can launch an MPI build's binary.
func Command(ctx context.Context, np int, name string, args ...string) *exec.Cmd {
	argv := append([]string{"--oversubscribe", "-np", strconv.Itoa(np), name}, args...)
	cmd := exec.CommandContext(ctx, "mpirun", argv...)
	cmd.Env = os.Environ()
	for _, kv := range localEnv {
		if k, _, _ := strings.Cut(kv, "="); os.Getenv(k) == "" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}
