/*
 * feedbackctl — the coordinator's command line: global options, then one command group.
 */
#include <stdio.h>
#include <string.h>

#include "ctl_inspect.h"
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
	if (argc > 1 && strcmp(argv[1], "inspect") == 0)
		return ctl_inspect(argc - 1, argv + 1);
	return 0;
}
