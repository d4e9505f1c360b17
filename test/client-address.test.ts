// Per-address limits count the right address: the socket's peer, or behind our own proxies
// (TRUSTED_PROXY) the client they name; never an address a client names for itself.
import t from 'tap';
import { addressKey, clientAddress, TrustedProxies } from '../app/clientAddress.ts';
import { loadConfig } from '../app/config.ts';

t.test('X-Forwarded-For is ignored unless the peer is a trusted proxy', async (t) => {
  const none = new TrustedProxies();
  t.equal(clientAddress('203.0.113.9', '198.51.100.1', none), '203.0.113.9', 'no proxies trusted: the peer');
  const trusted = new TrustedProxies(['10.0.0.0/8', '192.0.2.1']);
  t.equal(clientAddress('203.0.113.9', '198.51.100.1', trusted), '203.0.113.9', 'an untrusted peer: the peer');
  t.equal(clientAddress('10.1.2.3', '198.51.100.1', trusted), '198.51.100.1', 'a trusted peer: the client it names');
  t.equal(clientAddress('10.1.2.3', undefined, trusted), '10.1.2.3', 'a trusted peer that names nobody: the peer');
});

t.test('through several proxies the client is the nearest address that is not one of ours', async (t) => {
  const trusted = new TrustedProxies(['10.0.0.0/8', '192.0.2.1']);
  // The client wrote the first entry itself; our two proxies appended the rest.
  t.equal(clientAddress('10.0.0.5', '6.6.6.6, 198.51.100.7, 192.0.2.1', trusted), '198.51.100.7');
  t.equal(clientAddress('10.0.0.5', 'garbage, 198.51.100.7', trusted), '198.51.100.7', 'what is left of a real client is never read');
  t.equal(clientAddress('10.0.0.5', '198.51.100.7, not-an-address', trusted), '10.0.0.5', 'a hop our proxy did not write: the proxy');
  t.equal(clientAddress('::ffff:10.0.0.5', '[2001:db8::1]', trusted), '2001:db8::1', 'mapped IPv4 and bracketed IPv6');
});

t.test('an IPv6 client is limited by its /64, an IPv4 one by its address', async (t) => {
  t.equal(addressKey('198.51.100.7'), '198.51.100.7');
  t.equal(addressKey('::ffff:198.51.100.7'), '198.51.100.7', 'IPv4 written as IPv6 is IPv4');
  t.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  t.equal(addressKey('2001:db8:1:2::9'), '2001:db8:1:2::/64', 'the same subscriber');
  t.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  t.equal(addressKey('::1'), '0:0:0:0::/64');
});

t.test('TRUSTED_PROXY takes addresses and CIDR ranges, and refuses anything else by name', async (t) => {
  t.same(loadConfig({}).trustedProxies, [], 'unset: no proxy is trusted');
  t.same(loadConfig({ TRUSTED_PROXY: '127.0.0.1, 10.0.0.0/8,2001:db8::/32' }).trustedProxies, ['127.0.0.1', '10.0.0.0/8', '2001:db8::/32']);
  for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.1/8/1', '2001:db8::/129']) {
    t.throws(() => loadConfig({ TRUSTED_PROXY: bad }), { name: 'ConfigError', message: /TRUSTED_PROXY/ }, bad);
  }
});
