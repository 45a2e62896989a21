using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Runtime;
using GanCluster.Specs;
using Spectre.Console;

namespace GanCluster.Cli;

/// <summary>Maps user mistakes to one clear line and an exit code; only bugs get a stack trace.</summary>
internal static class UserErrors
{
    public static int Run(IAnsiConsole console, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (SpecException e)
        {
            return Report(console, "invalid run spec", e.Message, ExitCodes.UsageError);
        }
        catch (DatasetException e)
        {
            return Report(console, "dataset error", e.Message, ExitCodes.DataError);
        }
        catch (CheckpointException e)
        {
            return Report(console, "checkpoint error", e.Message, ExitCodes.CheckpointError);
        }
        catch (Training.Evaluation.EvaluatorException e)
        {
            return Report(console, "evaluator", e.Message, ExitCodes.DataError);
        }
        catch (UsageException e)
        {
            return Report(console, "usage", e.Message, ExitCodes.UsageError);
        }
        catch (DeviceUnavailableException e)
        {
            return Report(console, "device unavailable", e.Message, ExitCodes.DeviceUnavailable);
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.InvalidArgument)
        {
            return Report(console, "invalid run spec", e.Status.Detail, ExitCodes.UsageError);
        }
        catch (Grpc.Core.RpcException e)
        {
            return Report(console, $"cluster ({e.StatusCode})", e.Status.Detail, ExitCodes.ClusterError);
        }
        catch (Distributed.Collective.CollectiveException e)
        {
            return Report(console, "peer lost", e.Message, ExitCodes.PeerLost);
        }
        catch (Exception e)
        {
            console.MarkupLine("[red]internal error[/] (please report it):");
            console.WriteException(e);
            return ExitCodes.InternalError;
        }
    }

    public static int Report(IAnsiConsole console, string kind, string message, int code)
    {
        console.MarkupLineInterpolated($"[red]error[/] ({kind}): {message}");
        return code;
    }
}
