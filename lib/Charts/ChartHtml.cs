using System.Net;
using System.Text;
using System.Text.Json;
using Plotly.NET;

namespace PruningLab.Charts;

/// <summary>
/// Turns charts into HTML that needs no network: plotly.js is inlined (standalone files)
/// or defined once per notebook by <see cref="PlotlyScriptTag"/>.
/// </summary>
public static class ChartHtml
{
    /// <summary>Folder, relative to the repository root, where <see cref="Show"/> writes charts.</summary>

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
        var (data, layout, config) = FigureJson(chart);
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
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, Standalone(chart), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return full;
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

    /// <summary>
    /// data, layout and config as JSON, serialised by Plotly.NET itself (its Newtonsoft settings),
    /// made safe to embed in a script element.
    /// </summary>
    private static (string Data, string Layout, string Config) FigureJson(GenericChart chart)
    {
        using var figure = JsonDocument.Parse(GenericChart.toFigureJson(chart));
        var config = Newtonsoft.Json.JsonConvert.SerializeObject(GenericChart.getConfig(chart));
        return (
            ScriptSafe(figure.RootElement.GetProperty("data").GetRawText()),
            ScriptSafe(figure.RootElement.GetProperty("layout").GetRawText()),
            ScriptSafe(config));
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
