using System.Text.RegularExpressions;
using PruningLab.Charts;

namespace PruningLab.Tests.Charts;

public class ChartHtmlTests
{
    private static Plotly.NET.GenericChart SampleChart(string title = "Sample") =>
        Plots.Bars(new Dictionary<string, double> { ["conv1"] = 0.5 }, title, "layer", "sparsity");

    private static readonly Regex ScriptSrc = new(@"<script[^>]*\ssrc\s*=", RegexOptions.IgnoreCase);

    [Fact]
    public void PlotlyJs_is_read_from_the_embedded_resource()
    {
        Assert.Contains("plotly.js v" + PlotlyJs.Version, PlotlyJs.Text);
        Assert.True(PlotlyJs.Text.Length > 3_000_000);
        Assert.Same(PlotlyJs.Text, PlotlyJs.Text); // cached
    }

    [Fact]
    public void Standalone_inlines_plotly_and_loads_nothing_from_the_network()
    {
        var html = ChartHtml.Standalone(SampleChart("Sparsity per layer"));

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("plotly.js v2.28.0", html);
        Assert.Contains("<title>Sparsity per layer</title>", html);
        Assert.Contains("Plotly.newPlot(", html);
        Assert.DoesNotMatch(ScriptSrc, html);
        // plotly.js itself mentions cdn.plot.ly (default topojson URL for geo maps); our own markup must not.
        var ownMarkup = html.Replace(PlotlyJs.Text, "");
        Assert.DoesNotContain("cdn", ownMarkup, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", ownMarkup);
        Assert.DoesNotContain("require(", ownMarkup);
    }

    [Fact]
    public void NotebookFragment_plots_into_its_own_div_without_external_scripts()
    {
        var html = ChartHtml.NotebookFragment(SampleChart());

        var id = Regex.Match(html, "<div id=\"(pruninglab-chart-[0-9a-f]{32})\"").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Contains($"var id = '{id}'", html);
        Assert.Contains("Plotly.newPlot(id, data, layout, config)", html);
        Assert.Contains("setTimeout(draw", html); // waits for the set-up cell's Plotly
        Assert.Contains("\"type\":\"bar\"", html);
        Assert.DoesNotMatch(ScriptSrc, html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("plotly.js v", html); // the library is not repeated per chart
    }

    [Fact]
    public void NotebookFragments_get_distinct_ids()
    {
        var chart = SampleChart();
        var ids = Enumerable.Range(0, 2)
            .Select(_ => Regex.Match(ChartHtml.NotebookFragment(chart), "<div id=\"([^\"]+)\"").Groups[1].Value)
            .ToArray();
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public void NotebookFragment_escapes_script_end_tags_in_titles()
    {
        var html = ChartHtml.NotebookFragment(SampleChart("a </script> b"));
        Assert.Single(Regex.Matches(html, "</script>"));
        Assert.Contains("<\\/script>", html);
    }

    [Fact]
    public void PlotlyScriptTag_defines_the_global_even_under_require_js()
    {
        var tag = ChartHtml.PlotlyScriptTag();
        Assert.StartsWith("<script type=\"text/javascript\">(function (define, exports, module) {", tag);
        Assert.EndsWith("})();</script>", tag);
        Assert.Contains("plotly.js v2.28.0", tag);
        Assert.DoesNotMatch(ScriptSrc, tag);
    }

    [Fact]
    public void Save_writes_the_file_atomically_and_returns_the_full_path()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pruninglab-charts-" + Guid.NewGuid().ToString("N"), "nested");
        try
        {
            var path = ChartHtml.Save(SampleChart(), Path.Combine(dir, "chart.html"));
            var again = ChartHtml.Save(SampleChart("Second"), Path.Combine(dir, "chart.html")); // overwrite

            Assert.Equal(Path.GetFullPath(Path.Combine(dir, "chart.html")), path);
            Assert.Equal(path, again);
            Assert.True(new FileInfo(path).Length > 3_000_000);
            Assert.Contains("<title>Second</title>", File.ReadAllText(path));
            Assert.Equal([path], Directory.GetFiles(dir)); // no temp files left behind
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Fact]
    public void CoursePaths_FindRoot_finds_the_nearest_Course_sln()
    {
        var root = Path.Combine(Path.GetTempPath(), "pruninglab-root-" + Guid.NewGuid().ToString("N"));
        var deep = Path.Combine(root, "a", "b");
        Directory.CreateDirectory(deep);
        try
        {
            Assert.Null(CoursePaths.FindRoot(deep));
            File.WriteAllText(Path.Combine(root, "Course.sln"), "");
            Assert.Equal(Path.GetFullPath(root), CoursePaths.FindRoot(deep));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
