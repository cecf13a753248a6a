namespace PruningLab.Tests;

/// <summary>What code prints: for library calls whose result a learner reads on the console (live vs stored, claims).</summary>
internal static class ConsoleOutput
{
    /// <summary>Runs <paramref name="action"/> with the console captured and returns the non-empty lines it printed.</summary>
    public static string[] Lines(Action action)
    {
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            action();
        }
        finally
        {
            Console.SetOut(console);
        }
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
