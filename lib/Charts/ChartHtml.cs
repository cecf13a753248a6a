using System.Net;
using System.Text;
using System.Text.Json;
using Plotly.NET;

namespace PruningLab.Charts;

/// <summary>
/// Turns charts into what notebooks and browsers show, with no network: the figure JSON of plotly's MIME type for
/// notebooks (VS Code draws it with its own plotly.js), and HTML with plotly.js inlined for pages and files.
/// </summary>
public static class ChartHtml
{
    /// <summary>The MIME type under which notebooks store a plotly figure: {"data", "layout", "config"}.</summary>
    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";

    /// <summary>The figure as plotly's JSON, {"data": […], "layout": {…}, "config": {…}}: what a notebook stores.</summary>
    public static string FigureJson(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var (data, layout, config) = Parts(chart);
        return $"{{\"data\":{data},\"layout\":{layout},\"config\":{config}}}";
    }

    /// <summary>The text a front end without a plotly renderer shows instead of the chart.</summary>
    public static string PlainText(GenericChart chart) =>
        $"[chart: {TitleOf(chart) ?? "untitled"}; VS Code draws it, and ./course lessons exports it to HTML]";

    /// <summary>
    /// A <c>&lt;script&gt;</c> element that defines the global <c>Plotly</c> object.
    /// Display it once per notebook (set-up cell); <see cref="NotebookFragment"/> outputs depend on it.
    /// </summary>
    public static string PlotlyScriptTag() =>
        // plotly.js is a UMD bundle: where require.js is present (classic Jupyter) it would register an AMD
        // module instead of window.Plotly. Shadowing define/exports/module with undefined parameters makes it
        // take the browser-global branch everywhere.
        "<script type=\"text/javascript\">(function (define, exports, module) {\n"
        + PlotlyJs.Text
        + "\n})();</script>";

    /// <summary>
    /// An HTML fragment (a div with a unique id and an inline script) that draws the chart with the global
    /// <c>Plotly</c>. It loads nothing from the network; if <c>Plotly</c> is not defined yet it polls for ~10 s.
    /// </summary>
    /// <param name="chart">The chart to draw.</param>
    public static string NotebookFragment(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return FragmentOf(FigureJson(chart));
    }

    /// <summary>
    /// The HTML fragment of <see cref="NotebookFragment"/> for a figure given as plotly JSON ({"data", "layout",
    /// "config"}), e.g. one stored in a notebook under <see cref="PlotlyMimeType"/>.
    /// </summary>
    public static string FragmentOf(string figureJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(figureJson);
        using var figure = JsonDocument.Parse(figureJson);
        string Part(string name) => ScriptSafe(figure.RootElement.TryGetProperty(name, out var part) ? part.GetRawText() : "{}");
        var (data, layout, config) = (Part("data"), Part("layout"), Part("config"));
        var id = "pruninglab-chart-" + Guid.NewGuid().ToString("N");
        return $$"""
            <div id="{{id}}"></div>
            <script type="text/javascript">
            (function () {
              var id = '{{id}}';
              var data = {{data}};
              var layout = {{layout}};
              var config = {{config}};
              var attempts = 0;
              function draw() {
                if (typeof window.Plotly !== 'undefined') { Plotly.newPlot(id, data, layout, config); return; }
                if (++attempts <= 100) { setTimeout(draw, 100); return; }
                var el = document.getElementById(id);
                if (el) { el.textContent = 'plotly.js is not loaded: run the notebook set-up cell (ChartHtml.PlotlyScriptTag) first.'; }
              }
              draw();
            })();
            </script>
            """;
    }

    /// <summary>A complete, self-contained HTML document: plotly.js inlined, no CDN, works offline.</summary>
    /// <param name="chart">The chart to render.</param>
    public static string Standalone(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var fragment = NotebookFragment(chart);
        var title = WebUtility.HtmlEncode(TitleOf(chart) ?? "chart");
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{title}</title>
            {PlotlyScriptTag()}
            </head>
            <body>
            {fragment}
            </body>
            </html>
            """;
    }

    /// <summary>
    /// Writes <see cref="Standalone"/> HTML to <paramref name="path"/>, creating the folder. The file is written
    /// to a temporary sibling and renamed, so readers never see a half-written chart.
    /// </summary>
    /// <param name="chart">The chart to save.</param>
    /// <param name="path">Target file path (relative paths resolve against the current directory).</param>
    /// <returns>The full path of the written file.</returns>
    public static string Save(GenericChart chart, string path)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return AtomicFile.WriteAllText(path, Standalone(chart));
    }

    /// <summary>
    /// For console and file-based apps: saves the chart as <c>output/charts/&lt;name&gt;.html</c> under the
    /// repository root and prints "chart written to &lt;path&gt;".
    /// </summary>
    /// <param name="chart">The chart to save.</param>
    /// <param name="name">File name; ".html" is appended when missing, invalid file-name characters become '_'.</param>
    /// <returns>The full path of the written file.</returns>
    public static string Show(GenericChart chart, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var safe = string.Concat(name.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
        if (!safe.EndsWith(".html", StringComparison.OrdinalIgnoreCase)) safe += ".html";
        var path = Save(chart, Path.Combine(CoursePaths.Output, "charts", safe));
        Console.WriteLine($"chart written to {path}");
        return path;
    }

    /// <summary>data, layout and config as JSON, serialised by Plotly.NET itself (its Newtonsoft settings).</summary>
    private static (string Data, string Layout, string Config) Parts(GenericChart chart)
    {
        using var figure = JsonDocument.Parse(GenericChart.toFigureJson(chart));
        var config = Newtonsoft.Json.JsonConvert.SerializeObject(GenericChart.getConfig(chart));
        return (figure.RootElement.GetProperty("data").GetRawText(), figure.RootElement.GetProperty("layout").GetRawText(), config);
    }

    /// <summary>"&lt;/" inside a script would end it early (e.g. a title containing "&lt;/script&gt;"); "&lt;\/" is the same JSON string.</summary>
    private static string ScriptSafe(string json) => json.Replace("</", "<\\/");

    private static string? TitleOf(GenericChart chart)
    {
        using var figure = JsonDocument.Parse(GenericChart.toFigureJson(chart));
        return figure.RootElement.GetProperty("layout").TryGetProperty("title", out var t)
            && t.ValueKind == JsonValueKind.Object && t.TryGetProperty("text", out var text)
            ? text.GetString()
            : null;
    }
}
