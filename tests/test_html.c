/* The portal's page buffer: text from outside never becomes markup. */
#include <criterion/criterion.h>
#include <string.h>
#include <stdlib.h>
#include "../portal/html.h"

static char *page(struct jx_html *h)
{
	size_t n;
	char *s = jx_html_take(h, &n);
	cr_assert_not_null(s);
	cr_assert_eq(strlen(s), n);
	return s;
}

Test(html, text_is_escaped_for_content_and_attributes)
{
	struct jx_html h;
	jx_html_init(&h);
	jx_html_raw(&h, "<p title='");
	jx_html_text(&h, "a'b\"c<script>&d");
	jx_html_raw(&h, "'>");
	char *s = page(&h);
	cr_assert_str_eq(s, "<p title='a&#39;b&quot;c&lt;script&gt;&amp;d'>");
	free(s);
}

Test(html, printf_escapes_strings_and_formats_numbers)
{
	struct jx_html h;
	jx_html_init(&h);
	jx_html_printf(&h, "<td>%s</td><td>%d</td><td>%zu</td><td>%lld</td><td>%05.1f</td>%%",
		       "历下区<b>", -7, (size_t)42, (long long)-9000000000LL, 3.25);
	char *s = page(&h);
	cr_assert_str_eq(s, "<td>历下区&lt;b&gt;</td><td>-7</td><td>42</td><td>-9000000000</td>"
			    "<td>003.2</td>%");
	free(s);
}

Test(html, invalid_utf8_and_controls_are_shown_visibly)
{
	struct jx_html h;
	jx_html_init(&h);
	jx_html_text(&h, "a\xff\x01" "b");
	char *s = page(&h);
	cr_assert_null(strchr(s, '\x01'));
	cr_assert_null(strchr(s, '\xff'));
	cr_assert(strstr(s, "\\xff") && strstr(s, "\\x01"), "%s", s);
	free(s);
}

Test(html, a_large_page_grows)
{
	struct jx_html h;
	jx_html_init(&h);
	for (int i = 0; i < 10000; i++)
		jx_html_printf(&h, "<i>%d</i>", i);
	char *s = page(&h);
	cr_assert(strstr(s, "<i>9999</i>"));
	cr_assert_eq(strncmp(s, "<i>0</i><i>1</i>", 16), 0);
	free(s);
}

Test(html, an_empty_page_is_an_empty_string)
{
	struct jx_html h;
	jx_html_init(&h);
	char *s = page(&h);
	cr_assert_str_eq(s, "");
	free(s);
}
