/*
 * peakrss — a test tool: run a command and print its peak resident memory in KiB (ru_maxrss
 * from wait4) on stderr's last line as "peakrss KIB", exiting with the command's status.
 *
 * Why a tool: a process's ru_maxrss counts the memory of the process it was forked from until
 * it execs (Linux keeps the high-water mark of the old address space), so a test written in
 * Python that holds large test messages would measure itself. This small program is the
 * parent instead: what it reports is the command's own peak.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "banned.h"

int
main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: peakrss COMMAND [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("peakrss: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("peakrss: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("peakrss: wait4");
		return 2;
	}
	fprintf(stderr, "peakrss %ld\n", ru.ru_maxrss);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
