"""Executes a notebook cell by cell with a Jupyter kernel and writes it back with its outputs.

Why not nbconvert/nbclient: they stop collecting a cell's outputs at the kernel's "idle" status. Deno's kernel can
publish a cell's displays after that status on a loaded machine, and nbclient then drops them (seen in CI: a cell's
value or three of four displays missing). Here each cell's outputs are collected until the shell reply has come, the
idle status has come, and the IOPub channel has then been quiet for a grace period.

usage: run-notebook.py NOTEBOOK OUTPUT KERNEL_NAME [CELL_TIMEOUT_S]   (kernel looked up on JUPYTER_PATH)
"""
import queue
import sys
import time

import nbformat
from jupyter_client.manager import start_new_kernel

GRACE_S = 2.0


def run_cell(client, code, timeout):
    msg_id = client.execute(code, store_history=True)
    outputs, idle, reply = [], False, None
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        if reply is None:
            try:
                message = client.get_shell_msg(timeout=0.05)
                if message["parent_header"].get("msg_id") == msg_id:
                    reply = message
            except queue.Empty:
                pass
        try:
            message = client.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            if idle and reply is not None:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= GRACE_S:
                    return outputs, reply
            continue
        quiet_since = None
        kind = message["msg_type"]
        if message["parent_header"].get("msg_id") != msg_id:
            if kind in ("display_data", "execute_result", "stream", "error"):
                print(f"run-notebook: a {kind} message for another request was left out", file=sys.stderr)
            continue
        if kind == "status":
            idle = idle or message["content"]["execution_state"] == "idle"
        elif kind in ("display_data", "execute_result", "stream", "error"):
            if idle:
                print(f"run-notebook: a {kind} message came after the idle status", file=sys.stderr)
            outputs.append(nbformat.v4.output_from_msg(message))
    raise TimeoutError(f"a cell did not finish within {timeout} s:\n{code}")


def main():
    source, target, kernel_name = sys.argv[1:4]
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 180
    notebook = nbformat.read(source, as_version=4)
    manager, client = start_new_kernel(kernel_name=kernel_name, startup_timeout=120)
    try:
        for count, cell in enumerate((c for c in notebook.cells if c.cell_type == "code"), start=1):
            cell.outputs, reply = run_cell(client, cell.source, timeout)
            cell.execution_count = reply["content"].get("execution_count", count)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    nbformat.write(notebook, target)


if __name__ == "__main__":
    main()
