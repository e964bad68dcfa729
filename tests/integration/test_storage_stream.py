"""Volume upload and download as streams (issue 12, items 4, 7 and 8).

modvirt-storaged and modvirt-proxyd share one --root; every transfer case runs
directly on storage.sock and again through proxy.sock:

* stock virsh vol-upload / vol-download, dense and --sparse: sha256 round
  trips; a sparse upload leaves the volume's holes unallocated (also over a
  preallocated volume: its blocks are given back), a sparse download writes a
  sparse file (st_blocks far below the size); --offset/--length ranges;
* python3-libvirt: stream sendAll/recvAll and sparseSendAll/sparseRecvAll
  (holes arrive as holes: the hole handler sees them);
* the modvirt CLI: vol-upload/vol-download --sparse round trip, plain output
  off a terminal;
* refusals: more data than --length, a download offset past the end;
* backpressure: a raw client that stops reading a download cannot grow the
  daemon (VmRSS bounded), and the download completes once it reads again;
* crash: storaged SIGKILLed in the middle of an upload is restarted on the same
  root; the volume is not listed as complete and its in-progress file is gone.
"""

import hashlib
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtest  # noqa: E402
import mvstorage  # noqa: E402
from mvtest import virsh, XdrWriter  # noqa: E402

import libvirt  # noqa: E402

MIB = 1024 * 1024
SIZE = 24 * MIB
# (offset, length) of the data runs of the sparse test image; the rest is holes
RUNS = [(0, 1 * MIB), (5 * MIB, 2 * MIB), (10 * MIB + 4096, 3), (16 * MIB, 64 * 1024)]
PROC_POOL_LOOKUP_BY_NAME = 84
PROC_VOL_LOOKUP_BY_NAME = 95
PROC_VOL_UPLOAD = 208
PROC_VOL_DOWNLOAD = 209
STREAM_HOLE = 6
# The most a daemon may grow while a client stalls (a whole download is 1 GiB). Under
# ASan freed buffers wait in its quarantine (256 MiB at most) before they are reused.
RSS_BOUND = 40 * MIB + (256 * MIB if mvtest.SANITIZED else 0)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(MIB)
            if not b:
                return h.hexdigest()
            h.update(b)


def allocated(path):
    return os.stat(path).st_blocks * 512


def make_sparse_image(path, seed):
    with open(path, "wb") as f:
        f.truncate(SIZE)
        for i, (off, length) in enumerate(RUNS):
            f.seek(off)
            f.write(mvtest.random_bytes(length, seed + i) if length < 4096
                    else os.urandom(length))


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"^VmRSS:\s+(\d+) kB$", f.read(), re.M)
    return int(m.group(1)) * 1024


def log(text):
    print(text, file=sys.stderr, flush=True)


def lookup_vol_args(c, pool, name):
    """The XDR volume reference of pool/name, looked up on the raw client c."""
    r = c.call_ok(PROC_POOL_LOOKUP_BY_NAME, XdrWriter().string(pool).bytes())
    pname, puuid = r.string(), r.fixed(16)
    w = XdrWriter().string(pname)
    w.parts.append(puuid)
    r = c.call_ok(PROC_VOL_LOOKUP_BY_NAME, w.string(name).bytes())
    return XdrWriter().string(r.string()).string(r.string()).string(r.string()).bytes()


class StorageStreamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mvstorage.require_storaged()
        cls.storaged = mvstorage.StorageDaemon().start()
        cls.root = cls.storaged.root
        cls.proxy = mvstorage.ProxyDaemon(cls.root).start()
        cls.work = os.path.join(cls.root, "files")
        os.makedirs(cls.work)
        cls.pooldir = os.path.join(cls.root, "pool")
        os.makedirs(cls.pooldir)
        xml = os.path.join(cls.work, "pool.xml")
        with open(xml, "w") as f:
            f.write(mvstorage.dir_pool_xml("p", cls.pooldir))
        virsh(cls.storaged.uri, "pool-define", xml, check=True)
        virsh(cls.storaged.uri, "pool-start", "p", check=True)
        cls.sparse_src = os.path.join(cls.work, "sparse.img")
        make_sparse_image(cls.sparse_src, 1)
        cls.dense_src = os.path.join(cls.work, "dense.img")
        with open(cls.dense_src, "wb") as f:
            f.write(os.urandom(SIZE - 12345))      # not a multiple of any chunk size

    @classmethod
    def tearDownClass(cls):
        cls.proxy.cleanup()
        cls.storaged.cleanup()

    def uris(self):
        return [("direct", self.storaged.uri), ("proxy", self.proxy.uri)]

    def path(self, name):
        return os.path.join(self.work, name)

    def new_volume(self, uri, name, allocation="0"):
        virsh(uri, "vol-delete", "--pool", "p", name)
        virsh(uri, "vol-create-as", "p", name, str(SIZE), "--allocation", allocation,
              check=True)
        return os.path.join(self.pooldir, name)

    # ---- virsh ---------------------------------------------------------------------
    def test_virsh_dense_round_trip(self):
        for how, uri in self.uris():
            with self.subTest(how=how):
                vol = self.new_volume(uri, "dense-" + how)
                virsh(uri, "vol-upload", "--pool", "p", "dense-" + how, self.dense_src,
                      check=True)
                out = self.path("dense-%s.out" % how)
                virsh(uri, "vol-download", "--pool", "p", "dense-" + how, out, check=True)
                # the volume keeps its size; the tail past the file stays zero
                with open(self.dense_src, "rb") as f:
                    want = hashlib.sha256(f.read() + b"\0" * 12345).hexdigest()
                self.assertEqual(sha256(vol), want)
                self.assertEqual(sha256(out), want)

    def test_virsh_sparse_round_trip(self):
        data = sum(length for _, length in RUNS)
        for how, uri in self.uris():
            for prealloc in (False, True):
                with self.subTest(how=how, preallocated=prealloc):
                    name = "sparse-%s-%d" % (how, prealloc)
                    vol = self.new_volume(uri, name, str(SIZE) if prealloc else "0")
                    if prealloc:
                        with open(vol, "r+b") as f:     # real data where holes will go
                            f.write(b"\xff" * SIZE)
                    self.assertGreaterEqual(allocated(vol), SIZE if prealloc else 0)
                    virsh(uri, "vol-upload", "--sparse", "--pool", "p", name,
                          self.sparse_src, check=True)
                    self.assertEqual(sha256(vol), sha256(self.sparse_src))
                    self.assertLess(allocated(vol), data + 2 * MIB,
                                    "the upload's holes were written, not punched")
                    out = self.path(name + ".out")
                    virsh(uri, "vol-download", "--sparse", "--pool", "p", name, out,
                          check=True)
                    self.assertEqual(os.path.getsize(out), SIZE)
                    self.assertEqual(sha256(out), sha256(self.sparse_src))
                    self.assertLess(allocated(out), data + 2 * MIB,
                                    "the downloaded file is not sparse")
                    # the same volume without --sparse: every byte, as data
                    dense = self.path(name + ".dense")
                    virsh(uri, "vol-download", "--pool", "p", name, dense, check=True)
                    self.assertEqual(sha256(dense), sha256(self.sparse_src))
                    self.assertGreaterEqual(allocated(dense), SIZE)

    def test_virsh_range(self):
        for how, uri in self.uris():
            with self.subTest(how=how):
                name = "range-" + how
                vol = self.new_volume(uri, name)
                piece = os.urandom(3 * MIB + 7)
                src = self.path(name + ".in")
                with open(src, "wb") as f:
                    f.write(piece)
                virsh(uri, "vol-upload", "--pool", "p", name, src, "--offset", str(2 * MIB),
                      "--length", str(len(piece)), check=True)
                with open(vol, "rb") as f:
                    f.seek(2 * MIB)
                    self.assertEqual(f.read(len(piece)), piece)
                out = self.path(name + ".out")
                virsh(uri, "vol-download", "--pool", "p", name, out, "--offset",
                      str(2 * MIB + 5), "--length", str(MIB), check=True)
                with open(out, "rb") as f:
                    self.assertEqual(f.read(), piece[5:5 + MIB])

    def test_refusals(self):
        uri = self.storaged.uri
        name = "refuse"
        self.new_volume(uri, name)
        r = virsh(uri, "vol-upload", "--pool", "p", name, self.dense_src, "--length",
                  str(MIB))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("past the", r.stderr)
        r = virsh(uri, "vol-download", "--pool", "p", name, self.path("past.out"), "--offset",
                  str(SIZE + 1))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("past the end", r.stderr)
        # the volume took no harm: it uploads again
        virsh(uri, "vol-upload", "--pool", "p", name, self.dense_src, check=True)

    # ---- python3-libvirt -------------------------------------------------------------
    def test_python_streams(self):
        for how, uri in self.uris():
            with self.subTest(how=how):
                conn = libvirt.open(uri)
                try:
                    self.python_round_trips(conn, how)
                finally:
                    conn.close()

    def python_round_trips(self, conn, how):
        name = "py-" + how
        vpath = self.new_volume(self.storaged.uri, name)
        pool = conn.storagePoolLookupByName("p")
        pool.refresh(0)
        vol = pool.storageVolLookupByName(name)

        # sendAll / recvAll
        with open(self.dense_src, "rb") as f:
            st = conn.newStream(0)
            vol.upload(st, 0, 0, 0)
            st.sendAll(lambda s, n, fd: os.read(fd, n), f.fileno())
            st.finish()
        got = []
        st = conn.newStream(0)
        vol.download(st, 0, os.path.getsize(self.dense_src), 0)
        st.recvAll(lambda s, buf, acc: acc.append(buf) or len(buf), got)
        st.finish()
        self.assertEqual(hashlib.sha256(b"".join(got)).hexdigest(), sha256(self.dense_src))

        # sparseSendAll / sparseRecvAll
        def in_data(stream, fd):
            cur = os.lseek(fd, 0, os.SEEK_CUR)
            end = os.fstat(fd).st_size
            if cur >= end:
                return [False, 0]
            try:
                data = os.lseek(fd, cur, os.SEEK_DATA)
            except OSError:
                data = end
            if data > cur:
                os.lseek(fd, cur, os.SEEK_SET)
                return [False, data - cur]
            hole = os.lseek(fd, cur, os.SEEK_HOLE)
            os.lseek(fd, cur, os.SEEK_SET)
            return [cur < end, hole - cur]

        fd = os.open(self.sparse_src, os.O_RDONLY)
        try:
            st = conn.newStream(0)
            vol.upload(st, 0, 0, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
            st.sparseSendAll(lambda s, n, f: os.read(f, n), in_data,
                             lambda s, length, f: os.lseek(f, length, os.SEEK_CUR), fd)
            st.finish()
        finally:
            os.close(fd)
        self.assertEqual(sha256(vpath), sha256(self.sparse_src))
        self.assertLess(allocated(vpath), 4 * MIB)

        holes = []
        out = self.path(name + ".sparse")
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            def skip(stream, length, f):
                holes.append(length)
                os.ftruncate(f, os.lseek(f, length, os.SEEK_CUR))
                return 0

            st = conn.newStream(0)
            vol.download(st, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
            st.sparseRecvAll(lambda s, buf, f: os.write(f, buf), skip, fd)
            st.finish()
        finally:
            os.close(fd)
        self.assertEqual(sha256(out), sha256(self.sparse_src))
        self.assertGreater(len(holes), 0, "no hole arrived as a hole")
        self.assertGreater(sum(holes), SIZE // 2)
        self.assertLess(allocated(out), 4 * MIB)

    # ---- modvirt CLI -----------------------------------------------------------------
    def test_cli_sparse_round_trip(self):
        for how, uri in self.uris():
            with self.subTest(how=how):
                name = "cli-" + how
                vpath = self.new_volume(self.storaged.uri, name)
                virsh(uri, "pool-refresh", "p", check=True)
                up = subprocess.run([mvstorage.MODVIRT, "-c", uri, "vol-upload", "--sparse",
                                     "--pool", "p", name, self.sparse_src],
                                    capture_output=True, text=True, timeout=60)
                self.assertEqual(up.returncode, 0, up.stderr)
                # not a terminal: no progress bar, one summary line
                self.assertNotIn("\r", up.stderr)
                self.assertRegex(up.stderr, r"upload complete: %d bytes" % SIZE)
                self.assertEqual(sha256(vpath), sha256(self.sparse_src))
                self.assertLess(allocated(vpath), 4 * MIB)
                out = self.path(name + ".out")
                down = subprocess.run([mvstorage.MODVIRT, "-c", uri, "vol-download",
                                       "--sparse", "--pool", "p", name, out],
                                      capture_output=True, text=True, timeout=60)
                self.assertEqual(down.returncode, 0, down.stderr)
                self.assertEqual(sha256(out), sha256(self.sparse_src))
                self.assertLess(allocated(out), 4 * MIB)

    def test_cli_progress_on_terminal(self):
        """On a terminal the progress line is redrawn in place with a bar, rate and ETA."""
        import pty
        import select
        name = "tty"
        self.new_volume(self.storaged.uri, name)
        virsh(self.storaged.uri, "pool-refresh", "p", check=True)
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([mvstorage.MODVIRT, "-c", self.storaged.uri, "vol-upload",
                                  "--pool", "p", name, self.dense_src],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=slave)
            os.close(slave)
            slave = -1
            out = b""
            while True:
                r, _, _ = select.select([master], [], [], 60)
                if not r:
                    break
                try:
                    chunk = os.read(master, 65536)
                except OSError:         # EIO: the writer side closed
                    break
                if not chunk:
                    break
                out += chunk
            self.assertEqual(p.wait(60), 0, out)
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)
        text = out.decode("utf-8", "replace")
        self.assertIn("\r[", text)
        self.assertRegex(text, r"\[#+\] 100%")
        self.assertIn("ETA done", text)
        self.assertRegex(text, r"upload complete: %d bytes" % os.path.getsize(self.dense_src))

    # ---- backpressure ------------------------------------------------------------------
    def test_download_backpressure(self):
        """A client that stops reading a 1 GiB download grows neither storaged nor,
        through proxy.sock, the proxy."""
        for how, sock in (("direct", self.storaged.sock), ("proxy", self.proxy.sock)):
            with self.subTest(how=how):
                self.stalled_download(sock, [self.storaged, self.proxy])

    def stalled_download(self, sock, daemons):
        name = "big"
        big = 1024 * MIB
        virsh(self.storaged.uri, "vol-delete", "--pool", "p", name)
        virsh(self.storaged.uri, "vol-create-as", "p", name, str(big), "--allocation", "0",
              check=True)
        c = mvtest.WireClient(sock, timeout=30).open("storage:///system")
        try:
            args = lookup_vol_args(c, "p", name) + XdrWriter().u64(0).u64(0).u32(0).bytes()
            before = [rss_bytes(d.pid) for d in daemons]
            serial = c.send_message(mvtest.REMOTE_PROGRAM, PROC_VOL_DOWNLOAD, args)
            m = c.reply(serial)
            self.assertEqual(m.status, mvtest.OK)
            got = 0
            while got < 32 * MIB:              # the data flows ...
                m = c.recv_message()
                self.assertEqual(m.type, mvtest.STREAM)
                got += len(m.payload)
            time.sleep(3)                      # ... then the client stalls
            for d, b in zip(daemons, before):
                grown = rss_bytes(d.pid) - b
                log("%s grew by %d KiB while the client stalled" % (d.name, grown // 1024))
                self.assertLess(grown, RSS_BOUND, d.name)
            # the daemon still answers others meanwhile
            virsh(self.storaged.uri, "vol-list", "p", check=True)
            while True:                        # reading again: everything arrives
                m = c.recv_message()
                self.assertEqual((m.type, m.status), (mvtest.STREAM, mvtest.CONTINUE))
                if not m.payload:
                    break
                got += len(m.payload)
            self.assertEqual(got, big)
            c.send_message(mvtest.REMOTE_PROGRAM, PROC_VOL_DOWNLOAD, mtype=mvtest.STREAM,
                           serial=serial, status=mvtest.OK)
            m = c.recv_message()
            self.assertEqual((m.type, m.status), (mvtest.STREAM, mvtest.OK))
        finally:
            c.close()
            virsh(self.storaged.uri, "vol-delete", "--pool", "p", name)


class ProxyUploadBackpressureTest(unittest.TestCase):
    """Through proxy.sock, an upload to a storaged that does not read (SIGSTOP) stops
    the client (its socket fills) instead of growing the proxy; it completes after
    SIGCONT. And a hole on an upload opened without the sparse flag is refused."""

    def test_proxy_upload_held(self):
        import signal
        import socket
        mvstorage.require_storaged()
        d = mvstorage.StorageDaemon().start()
        proxy = mvstorage.ProxyDaemon(d.root).start()
        try:
            pooldir = os.path.join(d.root, "pool")
            os.makedirs(pooldir)
            virsh(d.uri, "pool-create-as", "p", "dir", "--target", pooldir, check=True)
            virsh(d.uri, "vol-create-as", "p", "pushed", str(256 * MIB), check=True)
            c = mvtest.WireClient(proxy.sock, timeout=30).open("storage:///system")
            vargs = lookup_vol_args(c, "p", "pushed")
            serial = c.send_message(mvtest.REMOTE_PROGRAM, PROC_VOL_UPLOAD,
                                    vargs + XdrWriter().u64(0).u64(0).u32(0).bytes())
            self.assertEqual(c.reply(serial).status, mvtest.OK)
            frame = mvtest.encode_message(mvtest.REMOTE_PROGRAM, PROC_VOL_UPLOAD,
                                          b"\x5a" * 262120, mvtest.STREAM, serial,
                                          mvtest.CONTINUE)
            before = rss_bytes(proxy.pid)
            os.kill(d.pid, signal.SIGSTOP)
            try:
                c.sock.setblocking(False)
                sent, pending, stuck = 0, b"", 0
                while sent * 262120 < 1024 * MIB and stuck < 20:
                    data = pending or frame
                    try:
                        n = c.sock.send(data)
                    except BlockingIOError:
                        stuck += 1
                        time.sleep(0.05)
                        continue
                    stuck = 0
                    pending = data[n:]
                    if not pending:
                        sent += 1
                grown = rss_bytes(proxy.pid) - before
                log("proxy took %d frames (%d MiB) and grew by %d KiB before the client "
                    "blocked" % (sent, sent * 262120 // MIB, grown // 1024))
                self.assertLess(sent * 262120, 128 * MIB, "the client never blocked")
                self.assertLess(grown, RSS_BOUND)
            finally:
                os.kill(d.pid, signal.SIGCONT)
            c.sock.setblocking(True)
            c.sock.settimeout(30)
            if pending:
                c.sock.sendall(pending)
                sent += 1
            c.send_message(mvtest.REMOTE_PROGRAM, PROC_VOL_UPLOAD, mtype=mvtest.STREAM,
                           serial=serial, status=mvtest.OK)
            m = c.recv_message()
            self.assertEqual((m.type, m.status), (mvtest.STREAM, mvtest.OK))
            with open(os.path.join(pooldir, "pushed"), "rb") as f:
                head = f.read(sent * 262120)
            self.assertEqual(head, b"\x5a" * (sent * 262120))

            # a hole on an upload that is not sparse: STREAM ERROR, nothing written
            serial = c.send_message(mvtest.REMOTE_PROGRAM, PROC_VOL_UPLOAD,
                                    vargs + XdrWriter().u64(0).u64(0).u32(0).bytes())
            self.assertEqual(c.reply(serial).status, mvtest.OK)
            c.send_message(mvtest.REMOTE_PROGRAM, PROC_VOL_UPLOAD,
                           XdrWriter().u64(MIB).u32(0).bytes(), mtype=STREAM_HOLE,
                           serial=serial, status=mvtest.CONTINUE)
            m = c.recv_message()
            self.assertEqual((m.type, m.status), (mvtest.STREAM, mvtest.ERROR))
            self.assertIn("Unexpected stream hole", mvtest.decode_error(m.payload)["message"])
            c.close()
        finally:
            proxy.cleanup()
            d.cleanup()


class KilledUploadTest(unittest.TestCase):
    """SIGKILL of storaged halfway through an upload: after the restart the
    volume is not listed as complete and no in-progress file is left."""

    def test_killed_upload(self):
        mvstorage.require_storaged()
        d = mvstorage.StorageDaemon().start()
        root = d.root
        pooldir = os.path.join(root, "pool")
        os.makedirs(pooldir)
        xml = os.path.join(root, "pool.xml")
        with open(xml, "w") as f:
            f.write(mvstorage.dir_pool_xml("p", pooldir))
        virsh(d.uri, "pool-define", xml, check=True)
        virsh(d.uri, "pool-start", "p", check=True)
        virsh(d.uri, "vol-create-as", "p", "victim", str(64 * MIB), check=True)
        virsh(d.uri, "vol-create-as", "p", "bystander", str(MIB), check=True)
        partial = os.path.join(pooldir, ".victim.mvpart")

        conn = libvirt.open(d.uri)
        vol = conn.storagePoolLookupByName("p").storageVolLookupByName("victim")
        st = conn.newStream(0)
        vol.upload(st, 0, 0, 0)
        chunk = os.urandom(MIB)
        for _ in range(8):
            st.send(chunk)
        # the upload is under way: the volume has its in-progress name
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (os.path.exists(partial)
                                                   and allocated(partial) >= MIB):
            time.sleep(0.05)
        self.assertTrue(os.path.exists(partial), os.listdir(pooldir))
        self.assertFalse(os.path.exists(os.path.join(pooldir, "victim")))
        d.kill9()
        with self.assertRaises(libvirt.libvirtError):
            for _ in range(64):
                st.send(chunk)
            st.finish()
        try:
            conn.close()
        except libvirt.libvirtError:
            pass

        d2 = mvstorage.StorageDaemon(root=root).start()
        try:
            names = virsh(d2.uri, "vol-list", "p", check=True).stdout
            self.assertIn("bystander", names)
            self.assertNotIn("victim", names)
            self.assertEqual(mvstorage.partial_files(pooldir), [])
            self.assertIn("victim", d2.log())
            # the name is free again: a new upload works
            virsh(d2.uri, "vol-create-as", "p", "victim", str(MIB), check=True)
        finally:
            d2.stop()
            d.cleanup()


if __name__ == "__main__":
    mvtest.main()
