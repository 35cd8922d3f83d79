#!/usr/bin/env python3
"""A point-to-point link with a fixed one-way delay, for the network lab (this kernel has no netem qdisc).

Creates a TUN device in each of two network namespaces and carries every IP packet from one to the other after
DELAY_MS, both ways. Standard library only. Prints "ready" once both devices exist; runs until killed.

Usage: delay-link.py NS_A DEV_A NS_B DEV_B DELAY_MS
"""
import ctypes
import fcntl
import heapq
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
# Larger than any MTU in the lab.
MAX_PACKET = 65536

libc = ctypes.CDLL(None, use_errno=True)


def enter_namespace(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), f"setns {name}")
    os.close(fd)


def open_tun(namespace, device):
    enter_namespace(namespace)
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", device.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    ns_a, dev_a, ns_b, dev_b, delay_ms = sys.argv[1:6]
    delay = float(delay_ms) / 1000
    fd_a = open_tun(ns_a, dev_a)
    fd_b = open_tun(ns_b, dev_b)
    other = {fd_a: fd_b, fd_b: fd_a}
    pending = []  # (due, sequence, target fd, packet): a heap, sequence keeps each direction in order
    sequence = 0
    print("ready", flush=True)
    while True:
        timeout = max(0.0, pending[0][0] - time.monotonic()) if pending else None
        readable, _, _ = select.select([fd_a, fd_b], [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            while True:
                try:
                    packet = os.read(fd, MAX_PACKET)
                except BlockingIOError:
                    break
                sequence += 1
                heapq.heappush(pending, (now + delay, sequence, other[fd], packet))
        while pending and pending[0][0] <= time.monotonic():
            _, _, target, packet = heapq.heappop(pending)
            try:
                os.write(target, packet)
            except OSError:
                pass  # a device going down drops the packet, as a wire would


main()
