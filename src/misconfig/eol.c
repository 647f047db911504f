/*
 * misconfig/eol.c: when operating system releases stop getting security
 * updates, for BW-IMG-010 / BW-IMG-011. The dates and where they come from
 * are listed in data/eol/SOURCES.md; keep the two in step.
 *
 * The date is the end of the security updates the distribution itself
 * publishes to every user of its archive, without a subscription: Debian's
 * LTS (it ships through the same security archive), Ubuntu's standard
 * support (ESM needs Ubuntu Pro), Alpine's branch end, RHEL's end of
 * maintenance (and the rebuilds' own pages), Amazon Linux's end of support.
 * Where a vendor names only a month, the last day of that month.
 */
#include <string.h>

#include "misconfig/misconfig_int.h"

#define DEBIAN "Debian LTS (wiki.debian.org/LTS) and Debian releases (debian.org/releases)"
#define UBUNTU "Ubuntu release cycle (ubuntu.com/about/release-cycle)"
#define ALPINE "Alpine Linux releases (alpinelinux.org/releases)"
#define RHEL "Red Hat Enterprise Linux life cycle (access.redhat.com/support/policy/updates/errata)"
#define ROCKY "Rocky Linux release and version guide (wiki.rockylinux.org/rocky/version)"
#define ALMA "AlmaLinux release notes and life cycle (wiki.almalinux.org/release-notes)"
#define CENTOS "CentOS end of life (centos.org/centos-linux-eol, centos.org/cl-vs-cs)"
#define AMAZON "Amazon Linux 2 FAQs and Amazon Linux 2023 release cadence (aws.amazon.com/amazon-linux-2/faqs, docs.aws.amazon.com/linux/al2023)"

static const bw_eol_entry table[] = {
	{ "debian", "8", "Debian 8 (jessie)", "2020-06-30", DEBIAN },
	{ "debian", "9", "Debian 9 (stretch)", "2022-06-30", DEBIAN },
	{ "debian", "10", "Debian 10 (buster)", "2024-06-30", DEBIAN },
	{ "debian", "11", "Debian 11 (bullseye)", "2026-08-31", DEBIAN },
	{ "debian", "12", "Debian 12 (bookworm)", "2028-06-30", DEBIAN },
	{ "debian", "13", "Debian 13 (trixie)", "2030-06-30", DEBIAN },
	{ "ubuntu", "14.04", "Ubuntu 14.04 LTS", "2019-04-30", UBUNTU },
	{ "ubuntu", "16.04", "Ubuntu 16.04 LTS", "2021-04-30", UBUNTU },
	{ "ubuntu", "18.04", "Ubuntu 18.04 LTS", "2023-05-31", UBUNTU },
	{ "ubuntu", "20.04", "Ubuntu 20.04 LTS", "2025-05-31", UBUNTU },
	{ "ubuntu", "22.04", "Ubuntu 22.04 LTS", "2027-06-30", UBUNTU },
	{ "ubuntu", "23.04", "Ubuntu 23.04", "2024-01-31", UBUNTU },
	{ "ubuntu", "23.10", "Ubuntu 23.10", "2024-07-31", UBUNTU },
	{ "ubuntu", "24.04", "Ubuntu 24.04 LTS", "2029-05-31", UBUNTU },
	{ "ubuntu", "24.10", "Ubuntu 24.10", "2025-07-31", UBUNTU },
	{ "alpine", "3.12", "Alpine 3.12", "2022-05-01", ALPINE },
	{ "alpine", "3.13", "Alpine 3.13", "2022-11-01", ALPINE },
	{ "alpine", "3.14", "Alpine 3.14", "2023-05-01", ALPINE },
	{ "alpine", "3.15", "Alpine 3.15", "2023-11-01", ALPINE },
	{ "alpine", "3.16", "Alpine 3.16", "2024-05-23", ALPINE },
	{ "alpine", "3.17", "Alpine 3.17", "2024-11-22", ALPINE },
	{ "alpine", "3.18", "Alpine 3.18", "2025-05-09", ALPINE },
	{ "alpine", "3.19", "Alpine 3.19", "2025-11-01", ALPINE },
	{ "alpine", "3.20", "Alpine 3.20", "2026-04-01", ALPINE },
	{ "alpine", "3.21", "Alpine 3.21", "2026-11-01", ALPINE },
	{ "alpine", "3.22", "Alpine 3.22", "2027-05-01", ALPINE },
	{ "redhat", "6", "RHEL 6", "2020-11-30", RHEL },
	{ "redhat", "7", "RHEL 7", "2024-06-30", RHEL },
	{ "redhat", "8", "RHEL 8", "2029-05-31", RHEL },
	{ "redhat", "9", "RHEL 9", "2032-05-31", RHEL },
	{ "rocky", "8", "Rocky Linux 8", "2029-05-31", ROCKY },
	{ "rocky", "9", "Rocky Linux 9", "2032-05-31", ROCKY },
	{ "alma", "8", "AlmaLinux 8", "2029-03-01", ALMA },
	{ "alma", "9", "AlmaLinux 9", "2032-05-31", ALMA },
	{ "centos", "6", "CentOS 6", "2020-11-30", CENTOS },
	{ "centos", "7", "CentOS 7", "2024-06-30", CENTOS },
	/* ID=centos VERSION_ID=8 is CentOS Linux 8 (ended 2021-12-31) or Stream 8: the later date */
	{ "centos", "8", "CentOS 8 / CentOS Stream 8", "2024-05-31", CENTOS },
	{ "centos", "9", "CentOS Stream 9", "2027-05-31", CENTOS },
	{ "amazon", "2018.03", "Amazon Linux AMI 2018.03", "2023-12-31", AMAZON },
	{ "amazon", "2", "Amazon Linux 2", "2026-06-30", AMAZON },
	{ "amazon", "2023", "Amazon Linux 2023", "2029-06-30", AMAZON },
};

const bw_eol_entry *bw_eol__table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const bw_eol_entry *bw_eol__find(const char *family, const char *version)
{
	if (!family || !version)
		return NULL;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t k = strlen(table[i].version);
		/* "3.18.4" is 3.18, "9.2" is 9, but "2023" is not "2" */
		if (!strcmp(family, table[i].family) && !strncmp(version, table[i].version, k) &&
		    (version[k] == '\0' || version[k] == '.'))
			return &table[i];
	}
	return NULL;
}
