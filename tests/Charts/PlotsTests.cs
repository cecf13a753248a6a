using PruningLab.Charts;
using PruningLab.Training;

namespace PruningLab.Tests.Charts;

public class PlotsTests
{
    [Fact]
    public void TrainingCurves_has_loss_and_accuracy_panels_side_by_side()
    {
        var history = new[] { new EpochResult(1, 1.2, 0.6, 1.3, 0.55, 0.05, 1), new EpochResult(2, 0.8, 0.8, 0.9, 0.75, 0.05, 1) };
        var chart = Plots.TrainingCurves(history, "LeNet training");

        var traces = ChartJson.Traces(chart);
        Assert.Equal(["train loss", "validation loss", "train accuracy", "validation accuracy"], traces.Select(t => t.GetProperty("name").GetString()));
        Assert.All(traces, t => Assert.Equal("scatter", t.GetProperty("type").GetString()));
        Assert.Equal(["x", "x", "x2", "x2"], traces.Select(t => t.GetProperty("xaxis").GetString()));
        Assert.Equal([1, 2], traces[0].GetProperty("x").EnumerateArray().Select(e => e.GetInt32()));

        var layout = ChartJson.Layout(chart);
        Assert.Equal("LeNet training", ChartJson.Title(layout));
        Assert.Equal("epoch", ChartJson.Title(layout.GetProperty("xaxis2")));
        Assert.Equal("loss", ChartJson.Title(layout.GetProperty("yaxis")));
        Assert.Equal("accuracy", ChartJson.Title(layout.GetProperty("yaxis2")));
        Assert.Equal(1, layout.GetProperty("grid").GetProperty("rows").GetInt32());
        Assert.Equal(2, layout.GetProperty("grid").GetProperty("columns").GetInt32());
        Assert.Equal(ChartStyle.Width, layout.GetProperty("width").GetInt32());
        Assert.Equal(ChartStyle.Height, layout.GetProperty("height").GetInt32());
    }

    [Fact]
    public void WeightHistogram_overlays_prebinned_series_on_shared_bins()
    {
        var series = new Dictionary<string, float[]>
        {
            ["before"] = [-1f, -0.5f, 0f, 0.5f, 1f],
            ["after"] = [-1f, 0f, 0f, 0f, 1f],
        };
        var chart = Plots.WeightHistogram(series, bins: 4, excludeZeros: true);

        var traces = ChartJson.Traces(chart);
        Assert.Equal(["before", "after"], traces.Select(t => t.GetProperty("name").GetString()));
        Assert.All(traces, t => Assert.Equal("bar", t.GetProperty("type").GetString()));
        Assert.All(traces, t => Assert.True(t.GetProperty("opacity").GetDouble() < 1));
        Assert.Equal(traces[0].GetProperty("x").GetRawText(), traces[1].GetProperty("x").GetRawText());
        // Zeros excluded: "after" keeps only -1 and 1.
        Assert.Equal(2, traces[1].GetProperty("y").EnumerateArray().Sum(e => e.GetInt64()));
        Assert.Equal(4, traces[0].GetProperty("y").EnumerateArray().Sum(e => e.GetInt64()));

        var layout = ChartJson.Layout(chart);
        Assert.Equal("overlay", layout.GetProperty("barmode").GetString());
        Assert.Equal("weight value", ChartJson.Title(layout.GetProperty("xaxis")));
        Assert.Equal("count", ChartJson.Title(layout.GetProperty("yaxis")));
        Assert.Equal("Weight distribution", ChartJson.Title(layout));
    }

    [Fact]
    public void HistogramBins_counts_every_value_once_including_the_maximum()
    {
        var h = HistogramBins.Compute([0f, 0.25f, 0.5f, 0.75f, 1f, float.NaN], bins: 4, min: 0, max: 1);
        Assert.Equal([1L, 1, 1, 2], h.Counts);
        Assert.Equal(0.125, h.Centers[0], 9);

        var flat = HistogramBins.Compute([3f, 3f], bins: 2, min: 3, max: 3);
        Assert.Equal(2, flat.Counts.Sum());
    }

    [Fact]
    public void WeightHistogramGrid_has_one_panel_per_layer_and_one_legend_entry_per_series()
    {
        var layers = new Dictionary<string, IReadOnlyDictionary<string, float[]>>
        {
            ["conv1"] = new Dictionary<string, float[]> { ["before"] = [1f, 2f], ["after"] = [1f, 0f] },
            ["conv2"] = new Dictionary<string, float[]> { ["before"] = [3f, 4f], ["after"] = [0f, 4f] },
            ["fc1"] = new Dictionary<string, float[]> { ["before"] = [5f, 6f], ["after"] = [5f, 0f] },
        };
        var chart = Plots.WeightHistogramGrid(layers, bins: 10, columns: 2);

        var traces = ChartJson.Traces(chart);
        Assert.Equal(6, traces.Length);
        Assert.Equal(["x", "x", "x2", "x2", "x3", "x3"], traces.Select(t => t.GetProperty("xaxis").GetString()));
        Assert.Equal(2, traces.Count(t => t.GetProperty("showlegend").GetBoolean()));

        var layout = ChartJson.Layout(chart);
        Assert.Equal(2, layout.GetProperty("grid").GetProperty("rows").GetInt32());
        Assert.Equal("overlay", layout.GetProperty("barmode").GetString());
        var panelTitles = layout.GetProperty("annotations").EnumerateArray().Select(a => a.GetProperty("text").GetString());
        Assert.Equal(["conv1", "conv2", "fc1"], panelTitles);
        Assert.Equal("weight value", ChartJson.Title(layout.GetProperty("xaxis3")));
    }

    [Fact]
    public void Curves_draws_named_series_with_markers_and_axis_titles()
    {
        var series = new Dictionary<string, IReadOnlyList<(double X, double Y)>>
        {
            ["one-shot"] = [(0.5, 0.98), (0.9, 0.80)],
            ["fine-tuned"] = [(0.5, 0.99), (0.9, 0.97)],
        };
        var chart = Plots.Curves(series, "sparsity", "test accuracy", "Accuracy vs sparsity");

        var traces = ChartJson.Traces(chart);
        Assert.Equal(["one-shot", "fine-tuned"], traces.Select(t => t.GetProperty("name").GetString()));
        Assert.All(traces, t => Assert.Equal("lines+markers", t.GetProperty("mode").GetString()));
        Assert.Equal([0.5, 0.9], traces[1].GetProperty("x").EnumerateArray().Select(e => e.GetDouble()));
        var layout = ChartJson.Layout(chart);
        Assert.Equal("sparsity", ChartJson.Title(layout.GetProperty("xaxis")));
        Assert.Equal("test accuracy", ChartJson.Title(layout.GetProperty("yaxis")));
        Assert.Equal("Accuracy vs sparsity", ChartJson.Title(layout));
    }

    [Fact]
    public void Scatter_draws_markers_on_log_axes_leaves_out_what_a_log_axis_cannot_show_and_adds_the_diagonal()
    {
        var series = new Dictionary<string, IReadOnlyList<(double X, double Y)>>
        {
            ["OBS"] = [(1e-4, 1e-4), (1e-2, 1e-2)],
            ["OBD"] = [(1e-4, 2e-4), (1e-3, 0), (1e-1, 1e-1)],
        };
        var chart = Plots.Scatter(series, "true increase", "predicted", "Saliency vs truth", log: true, diagonal: true);

        var traces = ChartJson.Traces(chart);
        Assert.Equal(["OBS", "OBD (1 at ≤ 0 not shown)", "y = x"], traces.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("markers", traces[0].GetProperty("mode").GetString());
        Assert.Equal([1e-4, 1e-1], traces[1].GetProperty("x").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([1e-4, 1e-1], traces[2].GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));   // the diagonal spans all shown points
        var layout = ChartJson.Layout(chart);
        Assert.Equal("log", layout.GetProperty("xaxis").GetProperty("type").GetString());
        Assert.Equal("log", layout.GetProperty("yaxis").GetProperty("type").GetString());
    }

    [Fact]
    public void Heatmap_sends_rows_as_z_with_the_chosen_colour_scale()
    {
        var chart = Plots.Heatmap(new float[,] { { 1, 0, 1 }, { 0, 1, 0 } }, "Mask of conv1", colorScale: "Greys");

        var trace = Assert.Single(ChartJson.Traces(chart));
        Assert.Equal("heatmap", trace.GetProperty("type").GetString());
        Assert.Equal("Greys", trace.GetProperty("colorscale").GetString());
        Assert.Equal("[[1.0,0.0,1.0],[0.0,1.0,0.0]]", trace.GetProperty("z").GetRawText());
        var layout = ChartJson.Layout(chart);
        Assert.Equal("Mask of conv1", ChartJson.Title(layout));
        Assert.Equal("reversed", layout.GetProperty("yaxis").GetProperty("autorange").GetString());
    }

    [Fact]
    public void TableHeatmap_names_rows_and_columns_and_writes_each_value()
    {
        var chart = Plots.TableHeatmap(new[,] { { 89.5, 88.0 }, { 85.25, double.NaN } }, ["0 %", "90 %"], ["8 bits", "2 bits"],
            "Accuracy", "bits", "sparsity");
        var trace = Assert.Single(ChartJson.Traces(chart));
        Assert.Equal("[[89.5,88.0],[85.25,null]]", trace.GetProperty("z").GetRawText());
        Assert.Equal("[\"8 bits\",\"2 bits\"]", trace.GetProperty("x").GetRawText());
        Assert.Equal("[\"0 %\",\"90 %\"]", trace.GetProperty("y").GetRawText());
        Assert.Equal("%{z:.1f}", trace.GetProperty("texttemplate").GetString());
        Assert.Throws<ArgumentException>(() => Plots.TableHeatmap(new double[2, 2], ["a"], ["b", "c"], "t", "x", "y"));
    }

    [Fact]
    public void MaskGallery_stacks_masks_with_gaps_and_names_each_on_the_y_axis()
    {
        using var a = TorchSharp.torch.tensor(new float[] { 1, 0, 0, 1 }).reshape(2, 2, 1, 1);   // [out 2, in 2, 1, 1]
        using var b = TorchSharp.torch.tensor(new float[] { 0, 0, 1, 1 }).reshape(2, 2, 1, 1);
        var chart = Plots.MaskGallery(new Dictionary<string, TorchSharp.torch.Tensor> { ["first"] = a, ["second"] = b }, "Masks");
        var trace = Assert.Single(ChartJson.Traces(chart));
        // Rows of the first mask, two empty rows (gaps), rows of the second.
        Assert.Equal("[[1.0,0.0],[0.0,1.0],[null,null],[null,null],[0.0,0.0],[1.0,1.0]]", trace.GetProperty("z").GetRawText());
        var yaxis = ChartJson.Layout(chart).GetProperty("yaxis");
        Assert.Equal("[0.5,4.5]", yaxis.GetProperty("tickvals").GetRawText());
        Assert.Equal("[\"first\",\"second\"]", yaxis.GetProperty("ticktext").GetRawText());
        using var other = TorchSharp.torch.ones(3, 2);
        Assert.Throws<ArgumentException>(() => Plots.MaskGallery(new Dictionary<string, TorchSharp.torch.Tensor> { ["a"] = a, ["c"] = other }, "x"));
    }

    [Fact]
    public void Bars_and_GroupedBars_use_category_names_and_align_missing_values()
    {
        var single = Plots.Bars(new Dictionary<string, double> { ["conv1"] = 0.5, ["fc1"] = 0.9 }, "Sparsity per layer", "layer", "sparsity");
        var bar = Assert.Single(ChartJson.Traces(single));
        Assert.Equal("bar", bar.GetProperty("type").GetString());
        Assert.Equal("[\"conv1\",\"fc1\"]", bar.GetProperty("x").GetRawText());
        Assert.Equal("sparsity", ChartJson.Title(ChartJson.Layout(single).GetProperty("yaxis")));

        var grouped = Plots.GroupedBars(new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["magnitude"] = new Dictionary<string, double> { ["conv1"] = 0.5, ["fc1"] = 0.9 },
            ["random"] = new Dictionary<string, double> { ["fc1"] = 0.7 },
        }, "Sparsity", "layer", "sparsity");
        var traces = ChartJson.Traces(grouped);
        Assert.Equal(["magnitude", "random"], traces.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("[null,0.7]", traces[1].GetProperty("y").GetRawText());
        Assert.Equal("group", ChartJson.Layout(grouped).GetProperty("barmode").GetString());
    }

    [Fact]
    public void ConfusionMatrix_labels_axes_with_class_names_and_cells_with_counts()
    {
        var chart = Plots.ConfusionMatrix(new[,] { { 5, 1 }, { 2, 7 } }, ["cat", "dog"]);

        var trace = Assert.Single(ChartJson.Traces(chart));
        Assert.Equal("heatmap", trace.GetProperty("type").GetString());
        Assert.Equal("[\"cat\",\"dog\"]", trace.GetProperty("x").GetRawText());
        Assert.Equal("[\"cat\",\"dog\"]", trace.GetProperty("y").GetRawText());
        Assert.Equal("[[\"5\",\"1\"],[\"2\",\"7\"]]", trace.GetProperty("text").GetRawText());
        Assert.Equal("%{text}", trace.GetProperty("texttemplate").GetString());
        Assert.True(trace.GetProperty("reversescale").GetBoolean());
        var layout = ChartJson.Layout(chart);
        Assert.Equal("predicted class", ChartJson.Title(layout.GetProperty("xaxis")));
        Assert.Equal("true class", ChartJson.Title(layout.GetProperty("yaxis")));

        Assert.Throws<ArgumentException>(() => Plots.ConfusionMatrix(new int[2, 3], ["a", "b"]));
    }
}
