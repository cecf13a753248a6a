using System.Text.Json.Nodes;
using PruningLab.Charts;

namespace PruningLab.CourseTool;

/// <summary>
/// <c>html-ready</c>: executed notebooks store charts as plotly figure JSON, which nbconvert's HTML exporter does not
/// draw. This writes copies in which every chart output also carries an HTML fragment that draws it, and the first
/// chart brings plotly.js inlined, once per page, so the exported HTML works offline.
/// </summary>
internal static class HtmlReady
{
    public static int Run(string[] args)
    {
        var outIndex = Array.IndexOf(args, "--out");
        if (outIndex < 0 || outIndex + 1 >= args.Length) { Console.Error.WriteLine("html-ready: give --out DIR"); return 2; }
        var outDir = args[outIndex + 1];
        var inputs = args.Where((_, i) => i != outIndex && i != outIndex + 1).ToList();
        Directory.CreateDirectory(outDir);
        foreach (var input in inputs)
        {
            var notebook = JsonNode.Parse(File.ReadAllText(input))!.AsObject();
            var charts = Notebooks.NotebookHtml.AddChartHtml(notebook);
            var target = Path.Combine(outDir, Path.GetFileName(input));
            AtomicFile.WriteAllText(target, notebook.ToJsonString(new() { WriteIndented = true, IndentSize = 1, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            Console.Error.WriteLine($"{Path.GetFileName(input)}: {charts} charts made drawable in HTML");
        }
        return 0;
    }
}
