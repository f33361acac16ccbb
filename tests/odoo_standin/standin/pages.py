"""HTML the stand-in answers with: Odoo's login page and database manager (reduced to the
elements tests look at), and Werkzeug's error pages, which Odoo serves unchanged when no
website module is installed."""
import html

_ERRORS = {
    400: ("Bad Request", "The browser (or proxy) sent a request that this server could not understand."),
    403: ("Forbidden", "You don't have the permission to access the requested resource. It is either "
                       "read-protected or not readable by the server."),
    404: ("Not Found", "The requested URL was not found on the server. If you entered the URL manually please "
                       "check your spelling and try again."),
    426: ("Upgrade Required", "The server requires an upgraded connection."),
    500: ("Internal Server Error", "The server encountered an internal error and was unable to complete your "
                                   "request. Either the server is overloaded or there is an error in the application."),
}


def error(status, description=None):
    title, default = _ERRORS[status]
    return (f"<!doctype html>\n<html lang=en>\n<title>{status} {title}</title>\n<h1>{title}</h1>\n"
            f"<p>{html.escape(description or default)}</p>\n")


def _layout(title, body, banner=False):
    # Odoo's web.neutralize_banner view (activated by neutralization) adds this ribbon to
    # every page built on web.layout, the login page included.
    ribbon = ('<span id="oe_neutralize_banner" style="background-color: #e3a8a8;">Database neutralized '
              'for testing: no emails sent, etc.</span>') if banner else ""
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n<title>{html.escape(title)}</title>\n'
            f'</head>\n<body class="bg-100">\n{ribbon}\n{body}\n</body>\n</html>\n')


def login(db, url_root, csrf, list_db, error_text="", login_value="", redirect="", banner=False):
    manage = "" if not list_db else '<a class="border-end pe-2 me-1" href="/web/database/manager">Manage Databases</a>'
    alert = f'<p class="alert alert-danger" role="alert">{html.escape(error_text)}</p>' if error_text else ""
    body = f"""<div class="container py-5">
<div class="card border-0 mx-auto bg-100 o_database_list" style="max-width: 300px;">
<form class="oe_login_form" role="form" action="/web/login" method="post" onsubmit="this.action = '/web/login' + location.hash">
<input type="hidden" name="csrf_token" value="{csrf}"/>
<div class="mb-3 field-login"><label for="login" class="form-label">Email</label>
<input type="text" placeholder="Email" name="login" value="{html.escape(login_value)}" id="login" class="form-control" required="required" autocapitalize="off" autocomplete="username"/></div>
<div class="mb-3"><label for="password" class="form-label">Password</label>
<input type="password" placeholder="Password" name="password" id="password" class="form-control" required="required" autocomplete="current-password" maxlength="4096"/></div>
{alert}
<div class="oe_login_buttons text-center gap-1 d-grid mb-1 pt-3"><button type="submit" class="btn btn-primary">Log in</button></div>
<input type="hidden" name="type" value="password"/>
<input type="hidden" name="redirect" value="{html.escape(redirect)}"/>
</form>
<div class="text-center small mt-4 pt-3 border-top">{manage}
<a href="https://www.odoo.com?utm_source=db&amp;utm_medium=auth" target="_blank">Powered by <span>Odoo</span></a></div>
</div>
</div>
<!-- Not in real Odoo: lets tests see which database answered and the URL root it believes it is served under. -->
<div class="o_standin" data-db="{html.escape(db)}" data-url-root="{html.escape(url_root)}">Odoo stand-in: database {html.escape(db)}, served at {html.escape(url_root)}</div>"""
    return _layout("Login | Odoo", body, banner)


def database_manager(list_db, databases, error_text="", manage=True):
    parts = []
    if not list_db:
        parts.append('<div class="alert alert-danger text-center">The database manager has been disabled by the '
                     'administrator</div>')
    if error_text:
        parts.append(f'<div class="alert alert-danger">{html.escape(error_text)}</div>')
    if list_db and databases:
        items = "".join(f'<div class="list-group-item d-flex align-items-center"><a href="/odoo?db={html.escape(db)}" '
                        f'class="d-block flex-grow-1">{html.escape(db)}</a></div>' for db in databases)
        parts.append(f'<div class="list-group">{items}</div>')
    body = (f'<div class="container"><div class="row"><div class="col-lg-6 offset-lg-3 o_database_list">'
            f'{"".join(parts)}</div></div></div>')
    return _layout("Odoo", body)


def webclient(db, name):
    body = (f'<div class="o_web_client" data-db="{html.escape(db)}">Odoo stand-in: {html.escape(name)} is logged in '
            f'to {html.escape(db)}. The web client itself is not reproduced.</div>')
    return _layout("Odoo", body)
