// Command starttime measures how long a command takes from exec to exit: the median (and the
// fastest and slowest) of -n runs of its wall time, its CPU time (user + system, which waiting
// for a busy CPU does not inflate) and its page faults, beside the same for a process that does
// nothing (by default this program itself, started with STARTTIME_NOOP=1: the Go runtime's own
// start), so a number taken on a busy machine can be read as a ratio. `make bench` runs it on
// `dicomreg version`.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

// envNoop makes this program exit as soon as it starts: the floor it measures commands against.
const envNoop = "STARTTIME_NOOP"

func main() {
	if os.Getenv(envNoop) == "1" {
		return
	}
	n := flag.Int("n", 20, "runs")
	floor := flag.String("floor", "", "a command that does nothing, measured the same way (default: an empty Go program)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: starttime [-n 20] [-floor true] command [args…]")
		os.Exit(2)
	}
	cmd, err := measure(*n, flag.Args())
	if err == nil {
		var base runs
		floorName, floorArgs := *floor, []string{*floor}
		if *floor == "" {
			floorName = "an empty Go program"
			if self, serr := os.Executable(); serr == nil {
				floorArgs = []string{self}
			}
			os.Setenv(envNoop, "1")
		}
		if base, err = measure(*n, floorArgs); err == nil {
			fmt.Printf("%s (%d runs, medians): wall %.2f ms (min %.2f, max %.2f), CPU %.2f ms, %d page faults\n",
				flag.Args(), *n, ms(median(cmd.wall)), ms(cmd.wall[0]), ms(cmd.wall[len(cmd.wall)-1]), ms(median(cmd.cpu)), median(cmd.faults))
			fmt.Printf("%s, the floor on this machine now: wall %.2f ms, CPU %.2f ms, %d page faults (command/floor CPU: %.1f×)\n",
				floorName, ms(median(base.wall)), ms(median(base.cpu)), median(base.faults), float64(median(cmd.cpu))/float64(max(1, median(base.cpu))))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "starttime:", err)
		os.Exit(1)
	}
}

// runs are the sorted measurements of n runs.
type runs struct {
	wall, cpu []time.Duration
	faults    []int64
}

// measure runs args n times, after one untimed run that warms the page cache.
func measure(n int, args []string) (runs, error) {
	var r runs
	path, err := exec.LookPath(args[0])
	if err != nil {
		return r, err
	}
	for i := -1; i < n; i++ {
		c := exec.Command(path, args[1:]...)
		start := time.Now()
		if err := c.Run(); err != nil {
			return r, fmt.Errorf("%v: %w", args, err)
		}
		if i < 0 {
			continue
		}
		r.wall = append(r.wall, time.Since(start))
		r.cpu = append(r.cpu, c.ProcessState.UserTime()+c.ProcessState.SystemTime())
		if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.faults = append(r.faults, ru.Minflt+ru.Majflt)
		}
	}
	slices.Sort(r.wall)
	slices.Sort(r.cpu)
	slices.Sort(r.faults)
	return r, nil
}

func median[T time.Duration | int64](d []T) T {
	if len(d) == 0 {
		return 0
	}
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
