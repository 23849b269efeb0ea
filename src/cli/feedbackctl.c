/*
 * feedbackctl — the coordinator's command line: global options, then one command group.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "banned.h"

int
main(int argc, char **argv)
{
	log_init("feedbackctl", LOG_LEVEL_INFO);
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: feedbackctl [-c FILE] [--now TIME] COMMAND ...\n");
		return 0;
	}
	return 0;
}
