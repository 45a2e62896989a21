// The Orleans silo of the control plane; built by the control-plane issue.
Console.Error.WriteLine("GanCluster.Silo: the control plane is not built yet; use `gancluster train SPEC` for single-process training.");
return 64;
