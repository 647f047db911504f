/*
 * `bulwark key generate [--prefix NAME] [--algorithm ALG]` and `bulwark key
 * public --key REF`: key pairs in cosign's format (bw_key_generate), and the
 * password they are encrypted with: $BULWARK_PASSWORD, else a prompt on the
 * terminal (never echoed), else an error. An empty password only with
 * --empty-password (or BULWARK_PASSWORD set to "" on purpose).
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bulwark/sign.h"
#include "cli.h"

static char *read_tty_line(int fd, const char *prompt)
{
	struct termios old, quiet;
	char buf[1024];
	size_t n = 0;
	bool restore = tcgetattr(fd, &old) == 0;

	if (write(fd, prompt, strlen(prompt)) < 0)
		return NULL;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r <= 0 || c == '\n' || c == '\r')
			break;
		if (n + 1 < sizeof(buf))
			buf[n++] = c;
	}
	buf[n] = 0;
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* nothing to do: the prompt's newline is cosmetic */
	}
	char *s = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return s;
}

char *cli_password(const char *prompt, bool confirm, bool *owned)
{
	const char *env = getenv("BULWARK_PASSWORD");
	*owned = false;
	if (env)
		return (char *)env;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *p = read_tty_line(fd, prompt);
	if (p && confirm) {
		char *again = read_tty_line(fd, "Enter password for private key again: ");
		if (!again || strcmp(p, again)) {
			explicit_bzero(p, strlen(p));
			free(p);
			p = NULL;
			if (write(fd, "Passwords do not match.\n", 24) < 0) {
				/* the error below says it too */
			}
		}
		if (again) {
			explicit_bzero(again, strlen(again));
			free(again);
		}
	}
	close(fd);
	*owned = p != NULL;
	return p;
}

static const char key_usage[] =
	"usage: bulwark key generate [--prefix NAME] [--algorithm ALG] [--empty-password] [--sigstore-label]\n"
	"       bulwark key import --key FILE.pem [--prefix NAME] [--empty-password] [--sigstore-label]\n"
	"       bulwark key public --key REF\n"
	"  generate: NAME.key (cosign's encrypted private key) and NAME.pub; NAME defaults to cosign.\n"
	"  ALG: ecdsa-p256 (default), ecdsa-p384, ecdsa-p521, ed25519, rsa-3072, rsa-4096.\n"
	"  The password comes from $BULWARK_PASSWORD, else a prompt on the terminal.\n"
	"  import: a plain PEM private key (PKCS#8, PKCS#1 RSA, SEC1 EC) into cosign's format.\n"
	"  public: prints the PEM public key of REF (a key file, env://VAR, or a pkcs11: URI).\n";

int cmd_key(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "algorithm", required_argument, NULL, 'a' },
		{ "empty-password", no_argument, NULL, 'E' },
		{ "sigstore-label", no_argument, NULL, 'S' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = "cosign", *alg = NULL, *key = NULL;
	bool empty_ok = false, sigstore = false, owned = false;
	int c, rc;

	if (argc < 2) {
		fputs(key_usage, stderr);
		return 2;
	}
	const char *sub = argv[1];
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': prefix = optarg; break;
		case 'a': alg = optarg; break;
		case 'E': empty_ok = true; break;
		case 'S': sigstore = true; break;
		case 'k': key = optarg; break;
		case 'h': fputs(key_usage, stdout); return 0;
		default: fputs(key_usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(key_usage, stderr);
		return 2;
	}
	if (!strcmp(sub, "generate") || !strcmp(sub, "import")) {
		bool import = !strcmp(sub, "import");
		if (import && !key)
			return cli_usage("key import: --key FILE.pem is needed");
		char *pw = empty_ok ? (char *)"" : cli_password("Enter password for private key: ", true, &owned);
		if (!pw)
			return cli_usage("key %s: no password: set BULWARK_PASSWORD or run on a terminal", sub);
		if (!*pw && !empty_ok)
			return cli_usage("key %s: an empty password needs --empty-password", sub);
		rc = import ? bw_key_import(key, prefix, pw, sigstore) : bw_key_generate(prefix, alg, pw, sigstore);
		if (owned) {
			explicit_bzero(pw, strlen(pw));
			free(pw);
		}
		if (rc < 0)
			return cli_fail();
		if (!g_cli.quiet)
			fprintf(stderr, "bulwark: private key written to %s.key, public key to %s.pub\n", prefix, prefix);
		return 0;
	}
	if (!strcmp(sub, "public")) {
		char *pem = NULL, *pw = NULL;
		if (!key)
			return cli_usage("key public: --key REF is needed");
		if (bw_key_needs_password(key) && !(pw = cli_password("Enter password for private key: ", false, &owned)))
			return cli_usage("%s: the key is encrypted: set BULWARK_PASSWORD or run on a terminal", key);
		rc = bw_key_public_pem(key, pw, &pem);
		if (owned) {
			explicit_bzero(pw, strlen(pw));
			free(pw);
		}
		if (rc < 0)
			return cli_fail();
		fputs(pem, stdout);
		free(pem);
		return 0;
	}
	return cli_usage("key %s: unknown (generate, import or public)", sub);
}
