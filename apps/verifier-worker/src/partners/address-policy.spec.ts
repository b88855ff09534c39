import { forbiddenRange, HostAllowList } from './address-policy';

describe('forbiddenRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::7f00:1', 'ipv4Compatible'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['not-an-ip', 'unparseable'],
  ])('refuses %s (%s)', (address, range) => {
    expect(forbiddenRange(address)).toBe(range);
  });

  it.each(['93.184.215.14', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows public %s', (address) => {
    expect(forbiddenRange(address)).toBeNull();
  });
});

describe('HostAllowList', () => {
  const url = (u: string) => new URL(u);

  it('lets a bare host through on its default port only', () => {
    const list = new HostAllowList(['api.parkwhiz.com']);
    expect(list.allowsUrl(url('https://api.parkwhiz.com/v4/oauth/token'))).toBe(true);
    expect(list.allowsUrl(url('https://API.ParkWhiz.com:443/v4'))).toBe(true);
    expect(list.allowsUrl(url('https://api.parkwhiz.com:8443/v4'))).toBe(false);
    expect(list.allowsUrl(url('https://api.parkwhiz.com.evil.test/v4'))).toBe(false);
    expect(list.allowsUrl(url('https://evil.test/api.parkwhiz.com'))).toBe(false);
  });

  it('matches host:port and URL entries exactly, including IPv6', () => {
    const list = new HostAllowList(['127.0.0.1:4010', 'https://spothero.com', '[::1]:4010']);
    expect(list.allowsUrl(url('http://127.0.0.1:4010/v4'))).toBe(true);
    expect(list.allowsUrl(url('http://127.0.0.1:5432/'))).toBe(false);
    expect(list.allowsUrl(url('https://spothero.com/api/partner/v1/'))).toBe(true);
    expect(list.allowsUrl(url('http://[::1]:4010/'))).toBe(true);
    expect(list.allows('::1', '4010', 'http:')).toBe(true);
  });

  it('normalises numeric IPv4 spellings the way the URL parser does', () => {
    const list = new HostAllowList(['127.0.0.1:4010']);
    expect(list.allowsUrl(url('http://2130706433:4010/'))).toBe(true);
    expect(new HostAllowList(['0x7f000001:4010']).allowsUrl(url('http://127.0.0.1:4010/'))).toBe(true);
  });

  it('rejects an entry that is not a host', () => {
    expect(() => new HostAllowList(['http://'])).toThrow(TypeError);
  });
});
