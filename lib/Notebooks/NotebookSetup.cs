using System.Net;
using System.Reflection;
using PruningLab.Charts;
using PruningLab.Exercises;
using PruningLab.Runtime;

namespace PruningLab.Notebooks;

/// <summary>
/// What the identical first cell of every lesson calls: loads the course's libtorch, makes Plotly.NET work in the
/// kernel and registers how charts are shown.
/// </summary>
/// <remarks>
/// <para>A chart is shown as its figure JSON under the MIME type <c>application/vnd.plotly.v1+json</c> (plus a line of
/// plain text). VS Code draws that type with the plotly.js bundled in its Jupyter renderers extension, offline, in
/// Polyglot Notebooks and in the Jupyter extension alike; so a saved notebook carries a few kilobytes per chart and no
/// copy of plotly.js. <c>./course lessons</c> turns the figures into HTML with plotly.js inlined once per page.</para>
/// <para>The library does not reference the (deprecated) .NET Interactive packages: it finds the kernel's formatter
/// by reflection, so the same DLL serves notebooks, console apps, file-based apps and tests.</para>
/// </remarks>
public static class NotebookSetup
{
    private const string FormatterTypeName = "Microsoft.DotNet.Interactive.Formatting.Formatter";
    private const string HtmlMimeType = "text/html";
    private const string TextMimeType = "text/plain";

    /// <summary>
    /// Prepares the kernel and returns an HTML block to display: a one-line environment summary, and the runtime's
    /// one-time notice if this run had to adapt the native libraries. Safe to call more than once.
    /// </summary>
    public static Html Run(int threads = 0)
    {
        Clock ??= System.Diagnostics.Stopwatch.StartNew();
        FSharpCoreRedirect.Install();
        TorchRuntime.EnsureLoaded();
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        CourseEnvironment.InNotebook = true;
        RegisterFormatter(typeof(Html), HtmlMimeType, (value, writer) => writer.Write(((Html)value).Content));
        RegisterChartFormatter();
        ShowsCheckResults = RegisterFormatter(typeof(CheckResult), TextMimeType, (value, writer) => writer.Write(value.ToString()))
                            && RegisterFormatter(typeof(CheckResult), CheckResult.MimeType, (value, writer) => writer.Write(((CheckResult)value).ToJson()));
        SetPreferredMimeTypes(typeof(CheckResult), TextMimeType, CheckResult.MimeType);
        var notice = TorchRuntime.Notice is { } text
            ? $"<p style=\"color:#666;font-size:90%\">Note: {WebUtility.HtmlEncode(text)}</p>"
            : "";
        return new Html($"<p><b>PruningLab ready</b>: {WebUtility.HtmlEncode(Environment())}.</p>{notice}");
    }

    // Kept out of Run: compiling a method that names a Plotly.NET type loads FSharp.Core, which must wait until
    // the redirect above is installed.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void RegisterChartFormatter()
    {
        var chart = typeof(Plotly.NET.GenericChart);
        RegisterFormatter(chart, ChartHtml.PlotlyMimeType, (value, writer) => writer.Write(ChartHtml.FigureJson((Plotly.NET.GenericChart)value)));
        RegisterFormatter(chart, TextMimeType, (value, writer) => writer.Write(ChartHtml.PlainText((Plotly.NET.GenericChart)value)));
        SetPreferredMimeTypes(chart, ChartHtml.PlotlyMimeType, TextMimeType);
    }

    private static System.Diagnostics.Stopwatch? Clock;

    /// <summary>
    /// Whether exercise checks are displayed with their structured result (<see cref="CheckResult.MimeType"/>) besides
    /// the line the learner reads: true once <see cref="Run"/> has registered the formatter in a kernel.
    /// </summary>
    internal static bool ShowsCheckResults { get; private set; }

    /// <summary>Time since the set-up cell first ran in this kernel: a lesson's last cell prints it.</summary>
    public static TimeSpan Elapsed => Clock?.Elapsed ?? TimeSpan.Zero;

    /// <summary>A one-line description of the machine and versions, for the set-up cell's output.</summary>
    public static string Environment() =>
        $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} (libtorch {TorchRuntime.LibTorchVersion}), " +
        $"{TorchSharp.torch.get_num_threads()} threads, .NET {System.Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    /// <summary>Registers <paramref name="write"/> as the kernel's formatter of <paramref name="type"/> for <paramref name="mimeType"/>.</summary>
    /// <returns>False when no .NET Interactive kernel is loaded in this process (nothing to register with).</returns>
    public static bool RegisterFormatter(Type type, string mimeType, Action<object, TextWriter> write)
    {
        var register = Formatter()?.GetMethod("Register", BindingFlags.Public | BindingFlags.Static,
            [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)]);
        if (register is null) return false;
        register.Invoke(null, [type, write, mimeType]);
        return true;
    }

    private static void SetPreferredMimeTypes(Type type, params string[] mimeTypes) =>
        Formatter()?.GetMethod("SetPreferredMimeTypesFor", BindingFlags.Public | BindingFlags.Static, [typeof(Type), typeof(string[])])
            ?.Invoke(null, [type, mimeTypes]);

    private static Type? Formatter() => InteractiveKernel.FindType(FormatterTypeName);
}

/// <summary>Raw HTML that the notebook shows as HTML (registered by <see cref="NotebookSetup.Run"/>).</summary>
/// <param name="Content">The HTML markup.</param>
public sealed record Html(string Content)
{
    /// <inheritdoc/>
    public override string ToString() => Content;
}
