using System.Reflection;
using PruningLab.Charts;
using PruningLab.Runtime;

namespace PruningLab.Notebooks;

/// <summary>
/// What the identical first cell of every lesson calls: loads the course's libtorch, makes Plotly.NET work in the
/// kernel, registers the chart formatter and embeds plotly.js once so that charts render offline.
/// </summary>
/// <remarks>
/// The library does not reference the (deprecated) .NET Interactive packages: it finds the kernel's formatter
/// by reflection, so the same DLL serves notebooks, console apps, file-based apps and tests.
/// </remarks>
public static class NotebookSetup
{
    private const string FormatterTypeName = "Microsoft.DotNet.Interactive.Formatting.Formatter";
    private const string HtmlMimeType = "text/html";

    /// <summary>
    /// Prepares the kernel and returns an HTML block to display: plotly.js plus a one-line environment summary.
    /// Safe to call more than once.
    /// </summary>
    public static Html Run(int threads = 0)
    {
        FSharpCoreRedirect.Install();
        TorchRuntime.EnsureLoaded();
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        CourseEnvironment.InNotebook = true;
        RegisterFormatter(typeof(Html), (value, writer) => writer.Write(((Html)value).Content));
        return new Html(RegisterChartFormatter() + $"<p><b>PruningLab ready</b>: {Environment()}.</p>");
    }

    // Kept out of Run: compiling a method that names a Plotly.NET type loads FSharp.Core, which must wait until
    // the redirect above is installed.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string RegisterChartFormatter()
    {
        RegisterFormatter(typeof(Plotly.NET.GenericChart), (value, writer) => writer.Write(ChartHtml.NotebookFragment((Plotly.NET.GenericChart)value)));
        return ChartHtml.PlotlyScriptTag();
    }

    /// <summary>A one-line description of the machine and versions, for the set-up cell's output.</summary>
    public static string Environment() =>
        $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} (libtorch {TorchRuntime.LibTorchVersion}), " +
        $"{TorchSharp.torch.get_num_threads()} threads, .NET {System.Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    /// <summary>Registers <paramref name="write"/> as the kernel's HTML formatter for <paramref name="type"/>.</summary>
    /// <returns>False when no .NET Interactive kernel is loaded in this process (nothing to register with).</returns>
    public static bool RegisterFormatter(Type type, Action<object, TextWriter> write)
    {
        var formatter = AppDomain.CurrentDomain.GetAssemblies()
            .Select(a => a.GetType(FormatterTypeName, throwOnError: false))
            .FirstOrDefault(t => t is not null);
        var register = formatter?.GetMethod("Register", BindingFlags.Public | BindingFlags.Static,
            [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)]);
        if (register is null) return false;
        register.Invoke(null, [type, write, HtmlMimeType]);
        return true;
    }
}

/// <summary>Raw HTML that the notebook shows as HTML (registered by <see cref="NotebookSetup.Run"/>).</summary>
/// <param name="Content">The HTML markup.</param>
public sealed record Html(string Content)
{
    /// <inheritdoc/>
    public override string ToString() => Content;
}
