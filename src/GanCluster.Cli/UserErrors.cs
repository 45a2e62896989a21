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
        catch (Exception e) when (RankFailure.Classify(e) is { } failure)
        {
            return Report(console, failure.Category, e.Message, failure.ExitCode);
        }
        catch (UsageException e)
        {
            return Report(console, "usage", e.Message, ExitCodes.UsageError);
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.InvalidArgument)
        {
            return Report(console, "invalid spec", e.Status.Detail, ExitCodes.UsageError);
        }
        catch (Grpc.Core.RpcException e)
        {
            return Report(console, $"cluster ({e.StatusCode})", e.Status.Detail, ExitCodes.ClusterError);
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
