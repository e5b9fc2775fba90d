// Command dray-supervise runs a command and starts it again on request; see dray's src/dev/supervisor.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// socket is abstract (leading @): it lives in the container's network namespace, not on disk.
const socket = "@dray-supervise"

// grace is how long a stopping process may take before it is killed; the engine's own stop
// timeout is longer, so a container stop still ends cleanly.
const grace = 5 * time.Second

func main() {
	if len(os.Args) == 2 && os.Args[1] == "reload" {
		os.Exit(reload())
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dray-supervise COMMAND [ARG...] | dray-supervise reload")
		os.Exit(2)
	}
	supervise(os.Args[1:])
}

// reload asks the supervisor to restart its command and waits until it has.
func reload() int {
	conn, err := net.Dial("unix", socket)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dray-supervise reload:", err)
		return 1
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * grace))
	fmt.Fprintln(conn, "reload")
	answer, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, "dray-supervise reload:", err)
		return 1
	}
	fmt.Print(answer)
	if len(answer) >= 3 && answer[:3] == "ok " {
		return 0
	}
	return 1
}

type child struct {
	cmd  *exec.Cmd
	done chan error
}

// live is the binary dray dev compiles on the host into a read-only mount (DRAY_SUPERVISE_LIVE):
// once it exists, it runs in place of the image's own binary, argv[0]. dray writes it under a
// temporary name and renames it, so a start never sees half a binary.
func live(argv []string) []string {
	path := os.Getenv("DRAY_SUPERVISE_LIVE")
	if path == "" {
		return argv
	}
	if info, err := os.Stat(path); err != nil || !info.Mode().IsRegular() {
		return argv
	}
	return append([]string{path}, argv[1:]...)
}

func start(argv []string) (*child, error) {
	argv = live(argv)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	return c, nil
}

// stop sends SIGTERM, then SIGKILL after the grace period, and waits for the exit.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() >= 0 {
		return exit.ExitCode()
	}
	return 1
}

// accept hands every connection of listener to requests; the reader checks the request line.
func accept(listener net.Listener, requests chan<- net.Conn) {
	for {
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		requests <- conn
	}
}

// wantsReload reads one request line: "reload" on the local socket, "reload TOKEN" over TCP.
func wantsReload(conn net.Conn, token string) bool {
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return false
	}
	line = strings.TrimSpace(line)
	if _, remote := conn.(*net.TCPConn); remote {
		return token != "" && line == "reload "+token
	}
	return line == "reload"
}

func supervise(argv []string) {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	requests := make(chan net.Conn)
	if listener, err := net.Listen("unix", socket); err == nil {
		go accept(listener, requests)
	} else {
		fmt.Fprintln(os.Stderr, "dray-supervise: no reload socket:", err)
	}
	token := os.Getenv("DRAY_SUPERVISE_TOKEN")
	if addr := os.Getenv("DRAY_SUPERVISE_ADDR"); addr != "" && token != "" {
		if listener, err := net.Listen("tcp", addr); err == nil {
			go accept(listener, requests)
		} else {
			fmt.Fprintln(os.Stderr, "dray-supervise: no reload port:", err)
		}
	}
	current, err := start(argv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dray-supervise:", err)
		os.Exit(127)
	}
	for {
		select {
		case err := <-current.done:
			// The command ended by itself: so does the container, and the engine's restart policy applies.
			os.Exit(exitCode(err))
		case sig := <-signals:
			if sig != syscall.SIGHUP {
				current.stop()
				os.Exit(0)
			}
			current.stop()
			if current, err = start(argv); err != nil {
				fmt.Fprintln(os.Stderr, "dray-supervise:", err)
				os.Exit(127)
			}
		case conn := <-requests:
			if !wantsReload(conn, token) {
				conn.Close()
				continue
			}
			current.stop()
			current, err = start(argv)
			if err != nil {
				fmt.Fprintln(conn, "error", err)
				conn.Close()
				fmt.Fprintln(os.Stderr, "dray-supervise:", err)
				os.Exit(127)
			}
			fmt.Fprintln(conn, "ok "+strconv.Itoa(current.cmd.Process.Pid))
			conn.Close()
		}
	}
}
