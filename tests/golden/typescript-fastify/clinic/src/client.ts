/**
 * The client address (C-RUN-6): the TCP peer, unless the peer is one of
 * `TRUSTED_PROXIES` (addresses or CIDRs); then the right-most
 * `X-Forwarded-For` entry that is not. A client can never choose its own
 * address by sending the header.
 */
import { BlockList, isIP } from "node:net";
import type { FastifyRequest } from "fastify";

/** The trusted proxies, parsed; throws for an entry that is no address or CIDR. */
export function parseTrustedProxies(text: string): BlockList {
  const list = new BlockList();
  for (const entry of text.split(",").map((e) => e.trim())) {
    if (entry === "") {
      continue;
    }
    const [address = "", bits] = entry.split("/");
    const family = isIP(address);
    if (family === 0) {
      throw new Error(`TRUSTED_PROXIES: "${entry}" is no address or CIDR`);
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) {
      list.addAddress(address, type);
    } else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new Error(`TRUSTED_PROXIES: "${entry}" has no valid prefix length`);
      }
      list.addSubnet(address, prefix, type);
    }
  }
  return list;
}

function trusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) {
    return false;
  }
  return list.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** Strips the IPv4-mapped IPv6 prefix (`::ffff:127.0.0.1` → `127.0.0.1`). */
function plain(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** The client address of a request, given the trusted proxies. */
export function clientAddress(request: FastifyRequest, proxies: BlockList): string {
  let address = plain(request.socket.remoteAddress ?? "unknown");
  if (!trusted(proxies, address)) {
    return address;
  }
  const header = request.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((hop) => plain(hop.trim()))
    .filter((hop) => hop !== "");
  while (hops.length > 0) {
    const hop = hops.pop() ?? "";
    address = hop;
    if (!trusted(proxies, hop)) {
      break;
    }
  }
  return address;
}
