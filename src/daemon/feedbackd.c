/*
 * feedbackd — the daemon's main: options, signals, then the loop in daemon.c.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "banned.h"

int
main(int argc, char **argv)
{
	log_init("feedbackd", LOG_LEVEL_INFO);
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: feedbackd [-c FILE] [--foreground] [--once] [--now TIME] [--check-config]\n");
		return 0;
	}
	return 0;
}
