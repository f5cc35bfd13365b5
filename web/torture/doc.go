// Package torture is a Jepsen-style safety harness for raftplay. It starts a real embedded
// cluster, runs concurrent workloads against random nodes over HTTP while a nemesis injects
// faults through the control API, and then checks what the clients observed:
//
//   - register: get / put / compare-and-set on a few keys, checked for linearizability with
//     porcupine (one partition per key);
//   - set: unique SQL INSERTs; after every node has been killed and restarted, a final read
//     must hold every acknowledged insert and nothing that was never attempted;
//   - bank: atomic multi-statement transfers between accounts; every read of the total
//     must show the same sum.
//
// It also watches the cluster's event stream for the whole run: at most one leader per term,
// equal (term, digest) for every index applied on any two nodes, and equal logs once the
// cluster has converged after the last heal.
package torture
