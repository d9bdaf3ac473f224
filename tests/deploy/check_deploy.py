#!/usr/bin/env python3
"""Checks deploy/ with what this machine has (no container runtime needed).

- every YAML file parses; the Kubernetes objects are what operations need:
  a StatefulSet with a volume claim holding the data dir (inside it, not its
  root, which fsGroup makes group-writable), non-root, read-only root file
  system, no capabilities, gRPC probes on the config's plaintext health port,
  resource requests; Services whose ports name container ports; the
  ConfigMap's config is deploy/fraudgate.conf;
- deploy/fraudgate.conf passes `fraudgate config check` (with development
  certificates in place of /etc/fraudgate/tls);
- the systemd unit passes `systemd-analyze verify` without a warning, and
  `systemd-analyze security` rates its exposure 2.0 or lower; it hands the
  TLS files to its dynamic user as credentials;
- deploy/cluster/ (the clustered mode): its YAML parses; each fraudgate
  StatefulSet has the single node's hardening and probes, the --role-history
  one included, and copies the shared hash key in; the NATS StatefulSet has
  3 servers with volumes; the ConfigMaps are deploy/cluster/fraudgate.conf
  and nats.conf (and nats-permissions.conf); that config passes `fraudgate
  config check` and nats.conf `nats-server -t`; NATS takes only mutual TLS
  (clients mapped by certificate to users with the node permissions,
  routes verified), the nodes reach it over tls:// with their NATS
  certificate mounted;
- the Dockerfile builds with the same scripts a developer runs
  (scripts/deps.sh, scripts/build.sh), copies the binary from where
  build.sh puts it, runs as a non-root user, probes the config's health
  port, and its runtime image installs the package of every shared library
  the binary needs.

Usage: check_deploy.py --source=REPO --binary=PATH_TO_FRAUDGATE
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def config_values(text):
    """`name: value` pairs of a text-format config, comments dropped."""
    values = {}
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        m = re.match(r'^(\w+):\s*"?([^"]*)"?$', line)
        if m:  # the first of a name (server.tls_dir before cluster's)
            values.setdefault(m.group(1), m.group(2))
    return values


def significant_lines(text):
    return [l.strip() for l in text.splitlines()
            if l.strip() and not l.strip().startswith('#')]


def k8s_objects(base, names, label):
    """Parses every YAML file `names` under `base` (a parse error is a
    failure named `label` + name) and returns the documents of those under
    k8s/."""
    objects = []
    for name in names:
        with open(os.path.join(base, name)) as f:
            try:
                docs = [d for d in yaml.safe_load_all(f) if d]
            except yaml.YAMLError as e:
                failures.append(f'{label}{name}: {e}')
                continue
        if name.startswith('k8s'):
            objects += docs
    return objects


def dev_certs(args, *script_args):
    subprocess.run([os.path.join(args.source, 'scripts', 'dev-certs.sh')] +
                   list(script_args), check=True, capture_output=True)


def cluster_tls_dir(conf_text):
    """The cluster section's tls_dir, or None."""
    m = re.search(r'^cluster\s*{[^}]*?\btls_dir:\s*"([^"]*)"', conf_text,
                  re.M)
    return m.group(1) if m else None


def config_check(args, conf_text, conf, tmp, label):
    """`fraudgate config check` of a config, with development certificates
    (made under `tmp`) in place of its tls_dir and its cluster's."""
    certs = os.path.join(tmp, 'certs')
    dev_certs(args, certs)
    nats_tls = cluster_tls_dir(conf_text)
    if nats_tls:
        dev_certs(args, certs, 'issue', 'node', 'fraudgate')
        node = os.path.join(tmp, 'node')
        os.makedirs(node)
        for src, dst in (('ca', 'ca'), ('fraudgate', 'node'),
                         ('fraudgate-key', 'node-key')):
            shutil.copy(os.path.join(certs, src + '.pem'),
                        os.path.join(node, dst + '.pem'))
        conf_text = conf_text.replace(nats_tls, node)
    path = os.path.join(tmp, 'fraudgate.conf')
    with open(path, 'w') as f:
        f.write(conf_text.replace(conf['tls_dir'], certs))
    r = subprocess.run([args.binary, 'config', 'check', path],
                       capture_output=True, text=True)
    check(r.returncode == 0 and 'config OK' in r.stdout,
          f'{label}: {r.stdout}{r.stderr}')


def data_dir_of(container, conf):
    """The data dir a fraudgate container serves: its --data, else the
    config's."""
    for arg in container.get('args', []):
        if arg.startswith('--data='):
            return arg[len('--data='):]
    return conf['data_dir']


def check_data_dir(name, pod, container, conf):
    """The data dir is a directory inside a mounted volume, not its root:
    with fsGroup a volume's root is group-writable, which serve refuses, and
    fsGroupChangePolicy OnRootMismatch keeps the kubelet from making what is
    inside group-writable at each mount."""
    data = data_dir_of(container, conf)
    mounts = {m['mountPath'].rstrip('/') for m in container['volumeMounts']}
    check(any(data.startswith(m + '/') for m in mounts),
          f'{name}: data dir {data} is not a directory inside a mounted '
          'volume')
    security = pod['securityContext']
    check('fsGroup' not in security or
          security.get('fsGroupChangePolicy') == 'OnRootMismatch',
          f'{name}: fsGroup without fsGroupChangePolicy: OnRootMismatch '
          'makes the data dir group-writable at each mount')


def check_fraudgate_pod(name, sts, health_port, conf):
    """The single node's requirements, for a StatefulSet of the cluster."""
    pod = sts['template']['spec']
    container = pod['containers'][0]
    check(sts.get('volumeClaimTemplates'), f'{name}: no volume claim')
    check(pod['securityContext'].get('runAsNonRoot') is True,
          f'{name}: not runAsNonRoot')
    for c in pod['containers'] + pod.get('initContainers', []):
        csc = c.get('securityContext', {})
        check(csc.get('readOnlyRootFilesystem') is True and
              csc.get('allowPrivilegeEscalation') is False and
              csc.get('capabilities', {}).get('drop') == ['ALL'],
              f"{name}: container {c['name']} not locked down")
    for probe in ('startupProbe', 'readinessProbe', 'livenessProbe'):
        check(container.get(probe, {}).get('grpc', {}).get('port') ==
              health_port, f'{name}: {probe} not gRPC on port {health_port}')
    check(container.get('livenessProbe', {}).get('grpc', {}).get('service') ==
          'liveness', f'{name}: livenessProbe does not ask for service liveness')
    check(container.get('resources', {}).get('requests'),
          f'{name}: no resource requests')
    mounts = {m['mountPath'] for m in container['volumeMounts']}
    check(conf['tls_dir'] in mounts, f'{name}: tls dir not mounted')
    check_data_dir(name, pod, container, conf)
    init = ' '.join(' '.join(c.get('command', []))
                    for c in pod.get('initContainers', []))
    check(data_dir_of(container, conf) + '/beneficiary-hmac.key' in init,
          f'{name}: the shared hash key is not copied into the data dir')


def check_cluster(args, cluster):
    conf_text = open(os.path.join(cluster, 'fraudgate.conf')).read()
    conf = config_values(conf_text)
    nats_text = open(os.path.join(cluster, 'nats.conf')).read()
    health_port = int(conf['health_listen'].rsplit(':', 1)[1])
    objects = k8s_objects(cluster, ['compose.yaml', 'k8s/nats.yaml',
                                    'k8s/fraudgate.yaml',
                                    'k8s/networkpolicy.yaml'], 'cluster/')
    sets = {o['metadata']['name']: o['spec'] for o in objects
            if o['kind'] == 'StatefulSet'}
    maps = {o['metadata']['name']: o['data'] for o in objects
            if o['kind'] == 'ConfigMap'}
    check(set(sets) == {'nats', 'fraudgate', 'fraudgate-history'},
          f'cluster: StatefulSets {sorted(sets)}')
    for name in ('fraudgate', 'fraudgate-history'):
        if name in sets:
            check_fraudgate_pod(f'cluster {name}', sets[name], health_port,
                                conf)
    history_args = sets.get('fraudgate-history', {}).get('template', {}).get(
        'spec', {}).get('containers', [{}])[0].get('args', [])
    check('--role-history' in history_args,
          'cluster: the history node lacks --role-history')
    policies = [o['spec'] for o in objects if o['kind'] == 'NetworkPolicy']
    check(any(p['podSelector'].get('matchLabels', {}).get(
        'app.kubernetes.io/name') == 'nats' for p in policies),
          'cluster: no NetworkPolicy keeps other pods away from NATS')
    nats = sets.get('nats', {})
    check(nats.get('replicas') == 3 and nats.get('volumeClaimTemplates'),
          'cluster: NATS is not 3 servers with volumes')
    check(significant_lines(maps.get('fraudgate-cluster-config', {}).get(
        'fraudgate.conf', '')) == significant_lines(conf_text),
          'cluster: ConfigMap is not deploy/cluster/fraudgate.conf')
    check(significant_lines(maps.get('nats-config', {}).get(
        'nats.conf', '')) == significant_lines(nats_text),
          'cluster: ConfigMap is not deploy/cluster/nats.conf')
    permissions_text = open(os.path.join(cluster,
                                         'nats-permissions.conf')).read()
    check(significant_lines(maps.get('nats-config', {}).get(
        'nats-permissions.conf', '')) == significant_lines(permissions_text),
          'cluster: ConfigMap is not deploy/cluster/nats-permissions.conf')
    check_cluster_security(conf_text, nats_text, sets)
    with tempfile.TemporaryDirectory() as tmp:
        config_check(args, conf_text, conf, tmp, 'cluster config check')
        # nats-server -t loads the certificates: development ones, with
        # the permissions next to the config as in the ConfigMap.
        certs = os.path.join(tmp, 'certs')
        dev_certs(args, certs, 'nats-server', 'nats-0.nats')
        conf_dir = os.path.join(tmp, 'nats')
        os.makedirs(conf_dir)
        with open(os.path.join(conf_dir, 'nats.conf'), 'w') as f:
            f.write(nats_text.replace('/etc/nats/tls', certs))
        shutil.copy(os.path.join(cluster, 'nats-permissions.conf'), conf_dir)
        nats_server = shutil.which('nats-server') or '/usr/sbin/nats-server'
        r = subprocess.run([nats_server, '-c',
                            os.path.join(conf_dir, 'nats.conf'), '-t'],
                           capture_output=True, text=True,
                           env=dict(os.environ, SERVER_NAME='nats-0'))
        check(r.returncode == 0, f'cluster nats.conf: {r.stdout}{r.stderr}')


def check_cluster_security(conf_text, nats_text, sets):
    """NATS admits only fraudgate nodes' certificates, with the permissions
    of nats-permissions.conf, over TLS on clients and routes, and every
    fraudgate node has its NATS certificate mounted."""
    nats_lines = significant_lines(nats_text)
    check('verify_and_map: true' in nats_lines,
          'cluster nats.conf: clients are not mapped by certificate')
    check('verify_cert_and_check_known_urls: true' in nats_lines,
          'cluster nats.conf: routes do not check certificates against '
          'the route URLs')
    check('include nats-permissions.conf' in nats_lines,
          'cluster nats.conf: does not include nats-permissions.conf')
    users = [l for l in nats_lines if l.startswith('{user:')]
    check(users and all('permissions: $FRAUDGATE_NODE' in u for u in users),
          'cluster nats.conf: a user without the node permissions')
    check('no_auth_user' not in nats_text,
          'cluster nats.conf: no_auth_user admits clients without a '
          'certificate')
    servers = re.search(r'servers:\s*"([^"]*)"', conf_text).group(1)
    check(all(u.startswith('tls://') for u in servers.split(',')),
          f'cluster fraudgate.conf: NATS servers not tls://: {servers}')
    nats_tls = cluster_tls_dir(conf_text)
    check(nats_tls, 'cluster fraudgate.conf: no cluster tls_dir')
    for name in ('fraudgate', 'fraudgate-history'):
        containers = sets.get(name, {}).get('template', {}).get(
            'spec', {}).get('containers', [{}])
        mounts = {m['mountPath'] for m in containers[0].get('volumeMounts',
                                                             [])}
        check(nats_tls in mounts,
              f'cluster {name}: the NATS certificate ({nats_tls}) is not '
              'mounted')
    nats_pod = sets.get('nats', {}).get('template', {}).get('spec', {})
    nats_mounts = {m['mountPath'] for c in nats_pod.get('containers', [])
                   for m in c.get('volumeMounts', [])}
    check('/etc/nats/tls' in nats_mounts,
          'cluster nats: the servers\' certificates are not mounted')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--source', required=True)
    parser.add_argument('--binary', required=True)
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    deploy = os.path.join(args.source, 'deploy')
    conf_text = open(os.path.join(deploy, 'fraudgate.conf')).read()
    conf = config_values(conf_text)
    health_port = int(conf['health_listen'].rsplit(':', 1)[1])

    # YAML, and the Kubernetes objects.
    objects = k8s_objects(deploy, ['compose.yaml', 'prometheus.yml'] + [
        os.path.join('k8s', f)
        for f in sorted(os.listdir(os.path.join(deploy, 'k8s')))], '')
    kinds = {}
    for o in objects:
        kinds.setdefault(o['kind'], []).append(o)
    check(set(kinds) >= {'StatefulSet', 'Service', 'Secret', 'ConfigMap'},
          f'k8s: kinds {sorted(kinds)}')
    sts = kinds['StatefulSet'][0]['spec']
    pod = sts['template']['spec']
    container = pod['containers'][0]
    check(sts.get('volumeClaimTemplates'), 'StatefulSet: no volume claim')
    check(pod['securityContext'].get('runAsNonRoot') is True,
          'StatefulSet: not runAsNonRoot')
    csc = container['securityContext']
    check(csc.get('readOnlyRootFilesystem') is True,
          'container: root file system writable')
    check(csc.get('allowPrivilegeEscalation') is False,
          'container: privilege escalation allowed')
    check(csc.get('capabilities', {}).get('drop') == ['ALL'],
          'container: capabilities not dropped')
    for probe in ('startupProbe', 'readinessProbe', 'livenessProbe'):
        check(container.get(probe, {}).get('grpc', {}).get('port') ==
              health_port, f'{probe}: not gRPC on port {health_port}')
    check(container.get('livenessProbe', {}).get('grpc', {}).get('service') ==
          'liveness', 'livenessProbe does not ask for service liveness')
    check(container.get('resources', {}).get('requests'),
          'container: no resource requests')
    container_ports = {p['name'] for p in container['ports']}
    for service in kinds['Service']:
        for port in service['spec']['ports']:
            check(port['targetPort'] in container_ports,
                  f"Service {service['metadata']['name']}: port "
                  f"{port['targetPort']} is no container port")
    mounts = {m['mountPath'] for m in container['volumeMounts']}
    check_data_dir('StatefulSet', pod, container, conf)
    check(conf['tls_dir'] in mounts, f"tls dir {conf['tls_dir']} not mounted")
    configmap = kinds['ConfigMap'][0]['data']['fraudgate.conf']
    check(significant_lines(configmap) == significant_lines(conf_text),
          'ConfigMap: not deploy/fraudgate.conf')

    # The config, with development certificates.
    with tempfile.TemporaryDirectory() as tmp:
        config_check(args, conf_text, conf, tmp, 'config check')

        # systemd, with the built binary in place of the installed one.
        unit = open(os.path.join(deploy, 'systemd', 'fraudgate.service')).read()
        check('/usr/local/bin/fraudgate serve --config=/etc/fraudgate/'
              'fraudgate.conf' in unit, 'systemd: ExecStart')
        # The dynamic user reads the TLS files as credentials (a key
        # readable by others is refused).
        check('--tls-dir=%d' in unit and
              'LoadCredential=server-key.pem:' in unit,
              'systemd: the TLS files are not credentials (--tls-dir=%d)')
        path = os.path.join(tmp, 'fraudgate.service')
        with open(path, 'w') as f:
            f.write(unit.replace('/usr/local/bin/fraudgate', args.binary))
        r = subprocess.run(['systemd-analyze', 'verify', path],
                           capture_output=True, text=True)
        check(r.returncode == 0 and not r.stderr.strip(),
              f'systemd-analyze verify: {r.stderr}')
        r = subprocess.run(['systemd-analyze', 'security', '--offline=yes',
                            path], capture_output=True, text=True)
        m = re.search(r'Overall exposure level for fraudgate.service: '
                      r'([0-9.]+)', r.stdout + r.stderr)
        check(m and float(m.group(1)) <= 2.0,
              f'systemd exposure: {m.group(1) if m else r.stdout + r.stderr}')

    # The Dockerfile.
    docker = open(os.path.join(deploy, 'Dockerfile')).read()
    check(re.search(r'RUN \./scripts/deps\.sh && \./scripts/build\.sh', docker),
          'Dockerfile: does not build with scripts/deps.sh and build.sh')
    build_sh = open(os.path.join(args.source, 'scripts', 'build.sh')).read()
    build_dir = re.search(r'^build_dir=(\S+)', build_sh, re.M).group(1)
    check(f'COPY --from=build /src/{build_dir}/cli/fraudgate' in docker,
          f'Dockerfile: binary not copied from {build_dir}/cli/')
    user = re.search(r'^USER (\d+)', docker, re.M)
    check(user and user.group(1) != '0', 'Dockerfile: runs as root')
    check(f'--server=127.0.0.1:{health_port}' in docker,
          'Dockerfile: HEALTHCHECK not on the health port')
    runtime = docker.split('FROM debian:12-slim', 1)[1]
    installed = set(re.findall(r'\b(lib[\w.+-]+)', runtime))
    # apt installs what those depend on too (libgrpc29 brings zlib1g,
    # libc-ares2, libre2-9, which a linker without --as-needed names).
    todo = list(installed)
    while todo:
        depends = subprocess.run(
            ['dpkg-query', '-W', '-f=${Depends}', todo.pop()],
            capture_output=True, text=True).stdout
        for name in re.findall(r'(?:^|,)\s*([a-z0-9][a-z0-9.+-]*)', depends):
            if name not in installed:
                installed.add(name)
                todo.append(name)
    needed = subprocess.run(['readelf', '-d', args.binary],
                            capture_output=True, text=True, check=True).stdout
    base = {'libc6', 'libstdc++6', 'libgcc-s1'}  # in debian:12-slim
    paths = {}
    ldconfig = subprocess.run(['ldconfig', '-p'], capture_output=True,
                              text=True, check=True).stdout
    for m in re.finditer(r'^\s*(\S+) \(.*x86-64.*\) => (\S+)$', ldconfig, re.M):
        paths.setdefault(m.group(1), m.group(2))
    for lib in re.findall(r'\(NEEDED\).*\[(.+)\]', needed):
        owner = ''
        # dpkg knows a file by the path its package installed (/lib or
        # /usr/lib, merged on Debian 12).
        for path in (paths.get(lib, lib), os.path.realpath(paths.get(lib, lib))):
            owner = owner or subprocess.run(['dpkg', '-S', path],
                                            capture_output=True,
                                            text=True).stdout
        package = owner.split(':', 1)[0] if owner else '?'
        check(package in installed | base,
              f'Dockerfile: runtime image lacks {package} ({lib})')

    check_cluster(args, os.path.join(deploy, 'cluster'))

    for f in failures:
        print('check_deploy:', f, file=sys.stderr)
    print(f'check_deploy: {len(failures)} problem(s)')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
