/* placeholder replaced below */
#include "cli.h"
int cmd_scan(int argc, char **argv) { (void)argc; (void)argv; return cli_usage("scan: not yet"); }
