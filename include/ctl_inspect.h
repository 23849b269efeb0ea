/*
 * ctl_inspect — `feedbackctl inspect [--json] [FILE|-]`: read one raw message and show what
 * feedbackd makes of it (message → classify → trim → fields), without a database. For people
 * checking why a reply was read the way it was, and for the corpus tests.
 */
#ifndef FB_CTL_INSPECT_H
#define FB_CTL_INSPECT_H

/* argv[0] is "inspect". Parses its own options (getopt_long; --help prints usage). Prints a
 * readable summary, or with --json one JSON object, on stdout. Returns the exit status: 0 when
 * the input was read (also when it could not be parsed as mail: the output then says why, with
 * kind "unknown" and "error"), 1 when the input could not be read or the options are wrong. */
int ctl_inspect(int argc, char **argv);

#endif
