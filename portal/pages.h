/* The portal's page handlers, one per route of portal/routes.c, and the
 * pieces every page shares (the frame, error pages, redirects). Handlers
 * are called by portal_dispatch only, after its checks: the session, the
 * account's access, the CSRF token of a POST and the district. */
#ifndef PORTAL_PAGES_H
#define PORTAL_PAGES_H

#include "routes.h"

void page_root(struct portal_call *c, struct portal_response *res);
void page_login_form(struct portal_call *c, struct portal_response *res);
void page_login(struct portal_call *c, struct portal_response *res);
void page_logout(struct portal_call *c, struct portal_response *res);
void page_district(struct portal_call *c, struct portal_response *res);
void page_template(struct portal_call *c, struct portal_response *res);
void page_upload(struct portal_call *c, struct portal_response *res);
void page_fill_form(struct portal_call *c, struct portal_response *res);
void page_fill(struct portal_call *c, struct portal_response *res);
void page_version(struct portal_call *c, struct portal_response *res);
void page_original(struct portal_call *c, struct portal_response *res);
void page_feedback(struct portal_call *c, struct portal_response *res);
void page_board(struct portal_call *c, struct portal_response *res);
void page_report_summary_xlsx(struct portal_call *c, struct portal_response *res);
void page_report_summary_csv(struct portal_call *c, struct portal_response *res);
void page_report_attainment_xlsx(struct portal_call *c, struct portal_response *res);
void page_report_attainment_csv(struct portal_call *c, struct portal_response *res);
void page_report_annual_xlsx(struct portal_call *c, struct portal_response *res);
void page_static(struct portal_call *c, struct portal_response *res);

/* An error page with status and a Chinese message. */
void page_error(struct portal_response *res, int status, const char *message);

/* A 303 to location (a path of this site). */
void page_redirect(struct portal_response *res, const char *location);

#endif
