#include "gpo_srv.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

int gpo_srv_find_dc(const struct gpo_log *lg, const char *domain, char *host,
		    size_t hostlen)
{
	struct __res_state rs;
	unsigned char answer[8192];
	char qname[NS_MAXDNAME];
	char target[NS_MAXDNAME];
	ns_msg msg;
	ns_rr rr;
	int len;
	int best_prio = 65536;
	int best_weight = -1;
	int rc = -ENOENT;

	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) < 0)
		return -EIO;
	snprintf(qname, sizeof(qname), "_ldap._tcp.dc._msdcs.%s", domain);
	len = res_nquery(&rs, qname, ns_c_in, ns_t_srv, answer, sizeof(answer));
	if (len < 0) {
		gpo_log(lg, GPO_LOG_DEBUG, "DNS SRV %s: %s", qname,
			hstrerror(rs.res_h_errno));
		rc = rs.res_h_errno == HOST_NOT_FOUND ||
		     rs.res_h_errno == NO_DATA ? -ENOENT : -EIO;
		goto out;
	}
	if (ns_initparse(answer, len, &msg) < 0) {
		rc = -EIO;
		goto out;
	}
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		const unsigned char *rd;
		int prio, weight;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 ||
		    ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7)
			continue;
		rd = ns_rr_rdata(rr);
		prio = ns_get16(rd);
		weight = ns_get16(rd + 2);
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, target,
			      sizeof(target)) < 0)
			continue;
		if (prio < best_prio || (prio == best_prio && weight > best_weight)) {
			if (strlen(target) >= hostlen) {
				rc = -ENAMETOOLONG;
				continue;
			}
			best_prio = prio;
			best_weight = weight;
			strcpy(host, target);
			rc = 0;
		}
	}
	if (!rc)
		gpo_log(lg, GPO_LOG_DEBUG, "DNS SRV %s: %s", qname, host);
out:
	res_nclose(&rs);
	return rc;
}
