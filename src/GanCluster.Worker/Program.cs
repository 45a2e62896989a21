// The per-device worker process. The data-parallel issue (gRPC all-reduce) and the control-plane
// issue (Orleans client) fill it; until then `gancluster train` runs the same trainer in-process.
Console.Error.WriteLine("GanCluster.Worker: the data-parallel worker is not built yet; use `gancluster train SPEC` for single-process training.");
return 64;
