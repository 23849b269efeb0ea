/*
 * ctl_overview — feedbackctl overview (placeholder until written).
 */
#include "ctl.h"
#include "banned.h"

int
ctl_overview(struct ctl *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	return ctl_error("overview: not yet");
}
