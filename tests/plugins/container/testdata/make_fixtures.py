#!/usr/bin/env python3
"""Writes the cgroup/procfs fixture trees of container_test.

Each tree is <name>/cgroup (what /sys/fs/cgroup holds) and <name>/proc. The
file formats and the cgroup layouts are those of real hosts (kernel 5.15-6.x,
Docker 24, containerd 1.7, cri-o 1.28, Podman 4, systemd 252); the numbers
are made up but consistent, so tests can state exact expectations. Run it
from anywhere to regenerate; the trees are checked in.
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

DOCKER_ID = "3f4e9c1b2a7d8e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"
DOCKER_ID2 = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"
PODMAN_ID = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
CTRD_ID = "aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888"
CTRD_ID2 = "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"
CTRD_ID3 = "fedcba0987654321fedcba0987654321fedcba0987654321fedcba0987654321"
CRIO_ID = "0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de"
POD_BURSTABLE = "0d3b6b4e-1c2a-4f5e-9a8b-7c6d5e4f3a2b"
POD_BESTEFFORT = "5f1a2b3c-4d5e-4f6a-8b9c-0d1e2f3a4b5c"
POD_GUARANTEED = "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b"

HOST_NETNS = "net:[4026531840]"


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content)


def symlink(target, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(target, path)


# ---------------------------------------------------------------- cgroup v2

def v2_memory_stat(anon, file, inactive_file, active_file, mapped, pgfault, pgmajfault):
    return (
        f"anon {anon}\nfile {file}\nkernel 1310720\nkernel_stack 180224\npagetables 389120\n"
        f"sec_pagetables 0\npercpu 2304\nsock 0\nvmalloc 8192\nshmem 0\nzswap 0\nzswapped 0\n"
        f"file_mapped {mapped}\nfile_dirty 4096\nfile_writeback 0\nswapcached 0\nanon_thp 0\n"
        f"file_thp 0\nshmem_thp 0\ninactive_anon {anon}\nactive_anon 4096\ninactive_file {inactive_file}\n"
        f"active_file {active_file}\nunevictable 0\nslab_reclaimable 344064\nslab_unreclaimable 380928\n"
        f"slab 724992\nworkingset_refault_anon 0\nworkingset_refault_file 0\nworkingset_activate_anon 0\n"
        f"workingset_activate_file 0\nworkingset_restore_anon 0\nworkingset_restore_file 0\n"
        f"workingset_nodereclaim 0\npgscan 0\npgsteal 0\npgscan_kswapd 0\npgscan_direct 0\n"
        f"pgsteal_kswapd 0\npgsteal_direct 0\npgfault {pgfault}\npgmajfault {pgmajfault}\n"
        f"pgrefill 0\npgactivate 0\npgdeactivate 0\npglazyfree 0\npglazyfreed 0\nthp_fault_alloc 0\n"
        f"thp_collapse_alloc 0\n"
    )


def v2_cgroup(root, path, *, controllers="cpu io memory pids", usage_usec=1000000, user_usec=700000,
              system_usec=300000, periods=0, throttled=0, throttled_usec=0, cpu_max="max 100000",
              weight=100, memory_current=10485760, memory_max="max", memory_peak=12582912,
              swap_current=0, swap_max="max", memory_min=0, failcnt=0, anon=6291456, file=4194304,
              inactive_file=1048576, active_file=3145728, mapped=1048576, pgfault=5000, pgmajfault=3,
              io="", pids_current=1, pids_max="max", procs=()):
    d = os.path.join(root, path.lstrip("/"))
    write(f"{d}/cgroup.controllers", controllers + "\n")
    write(f"{d}/cgroup.subtree_control", "\n")
    write(f"{d}/cgroup.events", "populated 1\nfrozen 0\n")
    write(f"{d}/cgroup.procs", "".join(f"{p}\n" for p in procs))
    write(f"{d}/cpu.stat",
          f"usage_usec {usage_usec}\nuser_usec {user_usec}\nsystem_usec {system_usec}\n"
          f"core_sched.force_idle_usec 0\nnr_periods {periods}\nnr_throttled {throttled}\n"
          f"throttled_usec {throttled_usec}\nnr_bursts 0\nburst_usec 0\n")
    write(f"{d}/cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                               "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
    if "cpu" in controllers.split():
        write(f"{d}/cpu.max", cpu_max + "\n")
        write(f"{d}/cpu.weight", f"{weight}\n")
        write(f"{d}/cpu.weight.nice", "0\n")
    if "memory" in controllers.split():
        write(f"{d}/memory.current", f"{memory_current}\n")
        write(f"{d}/memory.max", f"{memory_max}\n")
        write(f"{d}/memory.high", "max\n")
        write(f"{d}/memory.low", "0\n")
        write(f"{d}/memory.min", f"{memory_min}\n")
        write(f"{d}/memory.peak", f"{memory_peak}\n")
        write(f"{d}/memory.swap.current", f"{swap_current}\n")
        write(f"{d}/memory.swap.max", f"{swap_max}\n")
        write(f"{d}/memory.events",
              f"low 0\nhigh 0\nmax {failcnt}\noom {min(failcnt, 1)}\noom_kill {min(failcnt, 1)}\noom_group_kill 0\n")
        write(f"{d}/memory.stat", v2_memory_stat(anon, file, inactive_file, active_file, mapped, pgfault, pgmajfault))
    if "io" in controllers.split():
        write(f"{d}/io.stat", io)
        write(f"{d}/io.weight", "default 100\n")
    if "pids" in controllers.split():
        write(f"{d}/pids.current", f"{pids_current}\n")
        write(f"{d}/pids.max", f"{pids_max}\n")


def v2_root(root, procs, usage_usec):
    write(f"{root}/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    write(f"{root}/cgroup.subtree_control", "cpuset cpu io memory pids\n")
    write(f"{root}/cgroup.procs", "".join(f"{p}\n" for p in procs))
    write(f"{root}/cgroup.max.depth", "max\n")
    write(f"{root}/cpu.stat", f"usage_usec {usage_usec}\nuser_usec {usage_usec * 3 // 4}\n"
                              f"system_usec {usage_usec // 4}\ncore_sched.force_idle_usec 0\n")
    write(f"{root}/memory.stat", v2_memory_stat(734003200, 1610612736, 805306368, 805306368, 209715200,
                                                91234567, 4321))
    write(f"{root}/io.stat", "8:0 rbytes=9000000000 wbytes=4000000000 rios=300000 wios=200000 dbytes=0 dios=0\n"
                             "253:0 rbytes=8000000000 wbytes=3900000000 rios=290000 wios=190000 dbytes=0 dios=0\n")


# ---------------------------------------------------------------- cgroup v1

V1_MEMORY_STAT_KEYS = ["cache", "rss", "rss_huge", "shmem", "mapped_file", "dirty", "writeback", "swap",
                       "pgpgin", "pgpgout", "pgfault", "pgmajfault", "inactive_anon", "active_anon",
                       "inactive_file", "active_file", "unevictable"]


def v1_memory_stat(cache, rss, mapped, swap, inactive_file, active_file, pgfault, pgmajfault):
    own = {"cache": cache, "rss": rss, "rss_huge": 0, "shmem": 0, "mapped_file": mapped, "dirty": 0,
           "writeback": 0, "swap": swap, "pgpgin": 1000, "pgpgout": 500, "pgfault": pgfault,
           "pgmajfault": pgmajfault, "inactive_anon": rss, "active_anon": 0, "inactive_file": inactive_file,
           "active_file": active_file, "unevictable": 0}
    lines = [f"{k} {own[k]}" for k in V1_MEMORY_STAT_KEYS]
    lines += ["hierarchical_memory_limit 9223372036854771712", "hierarchical_memsw_limit 9223372036854771712"]
    # The subtree totals: a little more than the cgroup's own pages.
    lines += [f"total_{k} {own[k] + (4096 if own[k] else 0)}" for k in V1_MEMORY_STAT_KEYS]
    return "\n".join(lines) + "\n"


def v1_cgroup(root, path, *, hierarchies=("cpu,cpuacct", "memory", "blkio", "pids"), usage_ns=2500000000,
              user_ticks=180, system_ticks=60, percpu="1000000000 1500000000 0 0", shares=1024,
              period=100000, quota=-1, periods=0, throttled=0, throttled_ns=0, usage=20971520,
              max_usage=25165824, failcnt=0, limit=9223372036854771712, memsw_limit=9223372036854771712,
              soft_limit=9223372036854771712, cache=8388608, rss=12582912, mapped=2097152, swap=0,
              inactive_file=4194304, active_file=4190208, pgfault=7000, pgmajfault=5, blkio_bytes="Total 0\n",
              blkio_ios="Total 0\n", pids_current=1, pids_max="max", procs=()):
    is_root = path == "/"
    rel = path.lstrip("/")
    for h in hierarchies:
        d = os.path.join(root, h, rel) if rel else os.path.join(root, h)
        write(f"{d}/cgroup.procs", "".join(f"{p}\n" for p in procs))
        write(f"{d}/tasks", "".join(f"{p}\n" for p in procs))
        write(f"{d}/cgroup.clone_children", "0\n")
        write(f"{d}/notify_on_release", "0\n")
        if h == "cpu,cpuacct":
            write(f"{d}/cpuacct.usage", f"{usage_ns}\n")
            write(f"{d}/cpuacct.stat", f"user {user_ticks}\nsystem {system_ticks}\n")
            write(f"{d}/cpuacct.usage_percpu", f"{percpu} \n")
            write(f"{d}/cpu.shares", f"{shares}\n")
            write(f"{d}/cpu.cfs_period_us", f"{period}\n")
            write(f"{d}/cpu.cfs_quota_us", f"{quota}\n")
            write(f"{d}/cpu.stat", f"nr_periods {periods}\nnr_throttled {throttled}\nthrottled_time {throttled_ns}\n")
        if h == "memory":
            write(f"{d}/memory.usage_in_bytes", f"{usage}\n")
            write(f"{d}/memory.max_usage_in_bytes", f"{max_usage}\n")
            write(f"{d}/memory.failcnt", f"{failcnt}\n")
            write(f"{d}/memory.limit_in_bytes", f"{limit}\n")
            write(f"{d}/memory.memsw.limit_in_bytes", f"{memsw_limit}\n")
            write(f"{d}/memory.soft_limit_in_bytes", f"{soft_limit}\n")
            write(f"{d}/memory.use_hierarchy", "1\n")
            write(f"{d}/memory.stat", v1_memory_stat(cache, rss, mapped, swap, inactive_file, active_file,
                                                      pgfault, pgmajfault))
        if h == "blkio":
            write(f"{d}/blkio.reset_stats", "")
            write(f"{d}/blkio.throttle.io_service_bytes_recursive", blkio_bytes)
            write(f"{d}/blkio.throttle.io_serviced_recursive", blkio_ios)
            write(f"{d}/blkio.throttle.io_service_bytes", "Total 0\n")
            write(f"{d}/blkio.throttle.io_serviced", "Total 0\n")
        if h == "pids" and not is_root:
            write(f"{d}/pids.current", f"{pids_current}\n")
            write(f"{d}/pids.max", f"{pids_max}\n")


def blkio_v1(dev, read, write_):
    ops = [("Read", read), ("Write", write_), ("Sync", write_), ("Async", read), ("Discard", 0),
           ("Total", read + write_)]
    lines = [f"{dev} {op} {v}" for op, v in ops]
    return "\n".join(lines) + f"\nTotal {read + write_}\n"


def v1_controller_links(root):
    symlink("cpu,cpuacct", f"{root}/cpu")
    symlink("cpu,cpuacct", f"{root}/cpuacct")
    write(f"{root}/systemd/cgroup.procs", "1\n")  # name=systemd: not read


# ---------------------------------------------------------------- procfs

NET_DEV_HEADER = ("Inter-|   Receive                                                |  Transmit\n"
                  " face |bytes    packets errs drop fifo frame compressed multicast|"
                  "bytes    packets errs drop fifo colls carrier compressed\n")


def net_dev(*ifaces):
    out = NET_DEV_HEADER
    for name, rx_bytes, rx_packets, tx_bytes, tx_packets in ifaces:
        out += (f"{name:>6}: {rx_bytes:>8} {rx_packets:>7}    1    2    0     0          0         0 "
                f"{tx_bytes:>8} {tx_packets:>7}    3    4    0     0       0          0\n")
    return out


def procfs(root, tasks):
    """tasks: pid -> netns link, or (netns, net/dev text)."""
    write(f"{root}/partitions", "major minor  #blocks  name\n\n   8        0  488386584 sda\n"
                                "   8        1     524288 sda1\n 253        0  487860224 dm-0\n")
    write(f"{root}/meminfo", "MemTotal:       16303428 kB\nMemFree:         8123456 kB\n"
                             "MemAvailable:   12345678 kB\nSwapCached:            0 kB\n"
                             "SwapTotal:       2097148 kB\nSwapFree:        2031612 kB\n")
    host = net_dev(("lo", 123456, 1000, 123456, 1000), ("eth0", 987654321, 654321, 123456789, 98765),
                   ("docker0", 5555, 55, 6666, 66), ("veth1a2b3c", 777, 7, 888, 8))
    symlink(HOST_NETNS, f"{root}/1/ns/net")
    write(f"{root}/1/net/dev", host)
    for pid, ns in tasks.items():
        symlink(ns, f"{root}/{pid}/ns/net")
        if ns == HOST_NETNS:
            write(f"{root}/{pid}/net/dev", host)
        else:
            write(f"{root}/{pid}/net/dev", net_dev(("lo", 100, 1, 100, 1), ("eth0", 4096000 + pid, 3000, 2048000, 1500)))


# ---------------------------------------------------------------- trees

def v2_systemd_docker():
    """A Docker host on cgroup v2, systemd driver, with Podman (root) beside it."""
    base = os.path.join(HERE, "v2_systemd_docker")
    cg = f"{base}/cgroup"
    v2_root(cg, procs=(1,), usage_usec=987654321)
    v2_cgroup(cg, "/init.scope", procs=(1,))
    v2_cgroup(cg, "/system.slice", usage_usec=500000000, memory_current=1073741824)
    v2_cgroup(cg, "/system.slice/docker.service", procs=(800,), usage_usec=40000000)
    v2_cgroup(cg, "/system.slice/nginx.service", procs=(900, 901), usage_usec=3000000, pids_current=3)
    v2_cgroup(cg, f"/system.slice/docker-{DOCKER_ID}.scope", procs=(4242, 4243), usage_usec=123456789,
              user_usec=100000000, system_usec=23456789, periods=5000, throttled=120, throttled_usec=4500000,
              cpu_max="50000 100000", weight=100, memory_current=104857600, memory_max=536870912,
              memory_peak=125829120, swap_current=1048576, swap_max=1073741824, memory_min=67108864,
              failcnt=3, anon=73400320, file=31457280, inactive_file=20971520, active_file=10485760,
              mapped=4194304, pgfault=123456, pgmajfault=12,
              io="8:0 rbytes=1048576 wbytes=4096 rios=32 wios=1 dbytes=0 dios=0\n"
                 "253:0 rbytes=1048576 wbytes=4096 rios=32 wios=1 dbytes=0 dios=0\n",
              pids_current=7, pids_max=4096)
    v2_cgroup(cg, "/machine.slice", controllers="cpu io memory pids")
    v2_cgroup(cg, f"/machine.slice/libpod-{PODMAN_ID}.scope", procs=(5151,), usage_usec=2000000)
    v2_cgroup(cg, f"/machine.slice/libpod-conmon-{PODMAN_ID}.scope", procs=(5150,), usage_usec=10000)
    v2_cgroup(cg, "/user.slice", controllers="cpu memory pids", usage_usec=7000000)
    procfs(f"{base}/proc", {800: HOST_NETNS, 900: HOST_NETNS, 4242: "net:[4026532600]", 5150: HOST_NETNS,
                            5151: "net:[4026532700]"})


def v2_kubepods_containerd():
    """A Kubernetes node on cgroup v2, systemd driver, containerd: one pod per QoS class."""
    base = os.path.join(HERE, "v2_kubepods_containerd")
    cg = f"{base}/cgroup"
    v2_root(cg, procs=(1,), usage_usec=555555555)
    v2_cgroup(cg, "/kubepods.slice", weight=10000)
    burstable = "/kubepods.slice/kubepods-burstable.slice"
    v2_cgroup(cg, burstable)
    pod = f"{burstable}/kubepods-burstable-pod{POD_BURSTABLE.replace('-', '_')}.slice"
    v2_cgroup(cg, pod, weight=4)
    v2_cgroup(cg, f"{pod}/cri-containerd-{CTRD_ID}.scope", procs=(7001,), cpu_max="20000 100000", weight=4,
              memory_max=268435456, usage_usec=6000000, periods=900, throttled=45, throttled_usec=1200000)
    v2_cgroup(cg, f"{pod}/cri-containerd-{CTRD_ID2}.scope", procs=(7000,), weight=1, usage_usec=20000)  # pause
    besteffort = "/kubepods.slice/kubepods-besteffort.slice"
    v2_cgroup(cg, besteffort)
    pod = f"{besteffort}/kubepods-besteffort-pod{POD_BESTEFFORT.replace('-', '_')}.slice"
    v2_cgroup(cg, pod, weight=1)
    v2_cgroup(cg, f"{pod}/cri-containerd-{CTRD_ID3}.scope", procs=(7101,), weight=1, usage_usec=300000)
    pod = f"/kubepods.slice/kubepods-pod{POD_GUARANTEED.replace('-', '_')}.slice"
    v2_cgroup(cg, pod, cpu_max="100000 100000", memory_max=134217728)
    v2_cgroup(cg, f"{pod}/crio-{CRIO_ID}.scope", procs=(7201,), cpu_max="100000 100000", weight=39,
              memory_max=134217728, usage_usec=9000000)
    v2_cgroup(cg, f"{pod}/crio-conmon-{CRIO_ID}.scope", procs=(7200,), usage_usec=1000)
    v2_cgroup(cg, "/system.slice", usage_usec=400000000)
    v2_cgroup(cg, "/system.slice/containerd.service", procs=(600,), usage_usec=80000000)
    v2_cgroup(cg, "/system.slice/kubelet.service", procs=(650,), usage_usec=90000000)
    procfs(f"{base}/proc", {600: HOST_NETNS, 650: HOST_NETNS, 7000: "net:[4026532800]",
                            7001: "net:[4026532800]", 7101: "net:[4026532900]", 7200: HOST_NETNS,
                            7201: "net:[4026533000]"})


def v1_cgroupfs_docker():
    """A Docker host on cgroup v1, cgroupfs driver (cpu,cpuacct joined), with Podman's cgroupfs manager."""
    base = os.path.join(HERE, "v1_cgroupfs_docker")
    cg = f"{base}/cgroup"
    v1_controller_links(cg)
    v1_cgroup(cg, "/", usage_ns=98765432100, user_ticks=7000, system_ticks=2000, procs=(1, 2),
              usage=4294967296, blkio_bytes=blkio_v1("8:0", 9000000000, 4000000000),
              blkio_ios=blkio_v1("8:0", 300000, 200000))
    v1_cgroup(cg, "/docker", usage_ns=5000000000)
    v1_cgroup(cg, f"/docker/{DOCKER_ID}", procs=(4242,), usage_ns=7500000000, user_ticks=500, system_ticks=200,
              percpu="4000000000 3500000000 0 0", shares=512, period=100000, quota=150000, periods=7000,
              throttled=300, throttled_ns=9000000000, usage=209715200, max_usage=314572800, failcnt=2,
              limit=536870912, memsw_limit=1073741824, soft_limit=268435456, cache=52428800, rss=150994944,
              mapped=8388608, swap=1048576, inactive_file=41943040, active_file=10481664, pgfault=222222,
              pgmajfault=22, blkio_bytes=blkio_v1("8:0", 2097152, 8192), blkio_ios=blkio_v1("8:0", 64, 2),
              pids_current=12, pids_max=1024)
    v1_cgroup(cg, f"/docker/{DOCKER_ID2}", hierarchies=("cpu,cpuacct", "memory"), procs=(4300,),
              usage_ns=100000000)
    v1_cgroup(cg, "/libpod_parent", hierarchies=("cpu,cpuacct", "memory", "pids"))
    v1_cgroup(cg, f"/libpod_parent/libpod-{PODMAN_ID}", hierarchies=("cpu,cpuacct", "memory", "pids"),
              procs=(5151,), usage_ns=300000000)
    v1_cgroup(cg, "/system.slice", hierarchies=("cpu,cpuacct", "memory", "pids"))
    v1_cgroup(cg, "/system.slice/sshd.service", hierarchies=("cpu,cpuacct", "memory", "pids"), procs=(700,),
              usage_ns=40000000)
    procfs(f"{base}/proc", {700: HOST_NETNS, 4242: "net:[4026532600]", 4300: HOST_NETNS,
                            5151: "net:[4026532700]"})


def v1_kubepods_cgroupfs():
    """A Kubernetes node on cgroup v1, cgroupfs driver: Docker (dockershim) and cri-o naming, every QoS."""
    base = os.path.join(HERE, "v1_kubepods_cgroupfs")
    cg = f"{base}/cgroup"
    v1_controller_links(cg)
    v1_cgroup(cg, "/", usage_ns=55555555555, procs=(1,))
    v1_cgroup(cg, "/kubepods", shares=8192)
    v1_cgroup(cg, "/kubepods/burstable", shares=1024)
    v1_cgroup(cg, f"/kubepods/burstable/pod{POD_BURSTABLE}", shares=102)
    v1_cgroup(cg, f"/kubepods/burstable/pod{POD_BURSTABLE}/{DOCKER_ID}", procs=(8001,), shares=102,
              quota=20000, periods=100, throttled=5, throttled_ns=250000000, limit=268435456)
    v1_cgroup(cg, "/kubepods/besteffort", shares=2)
    v1_cgroup(cg, f"/kubepods/besteffort/pod{POD_BESTEFFORT}", shares=2)
    v1_cgroup(cg, f"/kubepods/besteffort/pod{POD_BESTEFFORT}/crio-{CRIO_ID}", procs=(8101,), shares=2)
    v1_cgroup(cg, f"/kubepods/pod{POD_GUARANTEED}", shares=1024, quota=100000)
    v1_cgroup(cg, f"/kubepods/pod{POD_GUARANTEED}/{CTRD_ID}", procs=(8201,), shares=1024, quota=100000,
              limit=134217728)
    procfs(f"{base}/proc", {8001: "net:[4026532800]", 8101: "net:[4026532900]", 8201: "net:[4026533000]"})


def main():
    for name in ["v2_systemd_docker", "v2_kubepods_containerd", "v1_cgroupfs_docker", "v1_kubepods_cgroupfs"]:
        shutil.rmtree(os.path.join(HERE, name), ignore_errors=True)
    v2_systemd_docker()
    v2_kubepods_containerd()
    v1_cgroupfs_docker()
    v1_kubepods_cgroupfs()


if __name__ == "__main__":
    main()
