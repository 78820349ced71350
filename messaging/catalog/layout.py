"""The email layouts, as Jinja2 sources shared by every language.

They live in Python rather than as template files so they ship with the package
without package-data configuration. ``email.html`` is autoescaped; ``email.txt``
is plain text and is never shown as HTML.
"""

from __future__ import annotations

EMAIL_HTML = """\
<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ subject }}</title>
</head>
<body style="margin:0;padding:0;background:#f5f5f4;">
<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff;\
font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1c1917;">
<p style="margin:0 0 16px;font-size:20px;font-weight:bold;">{{ restaurant }}</p>
<p>{{ greeting }}</p>
{% for paragraph in paragraphs %}
<p>{{ paragraph }}</p>
{% endfor %}
{% if note %}
{% if note_label %}
<p style="margin-bottom:4px;font-weight:bold;">{{ note_label }}</p>
{% endif %}
<blockquote style="margin:0 0 16px;padding:8px 16px;border-left:4px solid #d6d3d1;\
white-space:pre-line;">{{ note }}</blockquote>
{% endif %}
<h2 style="font-size:17px;margin:24px 0 8px;">{{ details_heading }}</h2>
<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;">
{% for label, value in details %}
<tr><th scope="row" style="text-align:left;vertical-align:top;padding:4px 16px 4px 0;\
font-weight:normal;color:#57534e;">{{ label }}</th>\
<td style="padding:4px 0;white-space:pre-line;">{{ value }}</td></tr>
{% endfor %}
</table>
{% if links %}
<p style="margin:24px 0;">
{% for link in links %}
<a href="{{ link.url }}" style="display:inline-block;margin:0 8px 8px 0;padding:10px 16px;\
border-radius:4px;text-decoration:none;\
{% if loop.first %}background:#1c1917;color:#ffffff;\
{% else %}border:1px solid #a8a29e;color:#1c1917;{% endif %}">{{ link.label }}</a>
{% endfor %}
</p>
{% endif %}
<p>{{ closing }}<br>{{ restaurant }}</p>
{% if unsubscribe %}
<p style="margin-top:32px;font-size:13px;color:#78716c;">\
<a href="{{ unsubscribe.url }}" style="color:#78716c;">{{ unsubscribe.label }}</a></p>
{% endif %}
</div>
</body>
</html>
"""

EMAIL_TEXT = """\
{{ greeting }}

{% for paragraph in paragraphs %}
{{ paragraph }}

{% endfor %}
{% if note %}
{% if note_label %}
{{ note_label }}:
{% endif %}
{{ note }}

{% endif %}
{{ details_heading }}
{% for label, value in details %}
{{ label }}: {{ value }}
{% endfor %}
{% if links %}

{% for link in links %}
{{ link.label }}: {{ link.url }}
{% endfor %}
{% endif %}

{{ closing }}
{{ restaurant }}
{% if unsubscribe %}

{{ unsubscribe.label }}: {{ unsubscribe.url }}
{% endif %}
"""
