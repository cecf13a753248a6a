using PruningLab.Experiments;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Structured;
using static TorchSharp.torch;

namespace PruningLab.Tests.Experiments;

/// <summary>
/// Lesson 03's study on a freshly initialised small VGG (no data needed): which layers it prunes and how much, the
/// mask that channel removal amounts to, and the share of weights it reports.
/// </summary>
public class GranularityStudyTests
{
    // conv2 [16,16,3,3], conv3 [32,16,3,3], conv4 [32,32,3,3], conv5 [64,32,3,3].
    private const long FourLayers = 16 * 16 * 9 + 32 * 16 * 9 + 32 * 32 * 9 + 64 * 32 * 9;

    [Theory]
    [InlineData("kernels")]
    [InlineData("input channels")]
    [InlineData("2:4")]
    public void Every_granularity_prunes_exactly_half_of_conv2_to_conv5_and_leaves_conv1_and_the_classifier_alone(string method)
    {
        var granularity = method == "2:4" ? GranularityStudy.NOfM : GranularityStudy.MaskGranularities.Single(g => g.Method == method).Granularity;
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 3);
        // All layers are masked, as in the run cache: the linear classifier must not even be scored by a kernel
        // granularity, and conv1 (one input channel) not by 2:4.
        using var masks = ModelMasks.For(model);
        GranularityStudy.Prune(masks, granularity, 0.5);
        foreach (var layer in GranularityStudy.Layers)
            Assert.Equal(0.5, 1 - masks[layer].mean().item<float>(), 6);
        Assert.Equal(1, masks["features.conv1"].min().item<float>());
        Assert.Equal(1, masks["classifier"].min().item<float>());
        Assert.Equal(0.5, GranularityStudy.ZeroShare(model), 6);
        if (method == "2:4")
            foreach (var layer in GranularityStudy.Layers) Assert.True(NMSparsity.Satisfies(masks[layer], 2, 4), layer);
    }

    [Fact]
    public void LayerMask_is_the_mask_the_layer_gets_when_all_four_layers_are_pruned()
    {
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 7);
        var dense = new PruningLab.Training.PretrainedModel(model, new PruningLab.Training.TrainingHistory([]), "", false, "test");
        using var masks = ModelMasks.For(model);
        using var alone = GranularityStudy.LayerMask(dense, "features.conv3", Granularity.Kernels, 0.5);
        GranularityStudy.Prune(masks, Granularity.Kernels, 0.5);
        Assert.True(alone.eq(masks["features.conv3"]).all().item<bool>());
    }

    [Fact]
    public void ZeroShare_counts_the_zeros_of_the_four_layers_only()
    {
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 4);
        var state = model.state_dict();
        using (no_grad())
        {
            state["features.conv1.weight"].zero_();                     // not one of the four: does not count
            state["features.conv3.weight"].narrow(0, 0, 5).zero_();     // 5 filters of 16·9 weights
        }
        Assert.Equal(5 * 16 * 9 / (double)FourLayers, GranularityStudy.ZeroShare(model), 12);
    }

    [Fact]
    public void ChannelMask_zeroes_the_removed_filters_and_the_inputs_that_read_removed_channels()
    {
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 5);
        var keep = new Dictionary<string, long[]> { ["features.conv2"] = [0, 2, 7], ["features.conv3"] = [1, 30] };
        var mask = GranularityStudy.ChannelMask(model, "features.conv3", keep);
        Assert.Equal(new long[] { 32, 16, 3, 3 }, mask.shape);
        var values = mask.data<float>().ToArray();
        for (var o = 0; o < 32; o++)
            for (var i = 0; i < 16; i++)
                for (var k = 0; k < 9; k++)
                {
                    var expected = (o is 1 or 30) && (i is 0 or 2 or 7) ? 1f : 0f;
                    Assert.Equal(expected, values[(o * 16 + i) * 9 + k]);
                }
        // A layer no group of `keep` touches keeps everything; an unknown layer is named.
        Assert.Equal(1, GranularityStudy.ChannelMask(model, "features.conv5", keep).min().item<float>());
        Assert.Contains("'features.conv9'", Assert.Throws<ArgumentException>(() => GranularityStudy.ChannelMask(model, "features.conv9", keep)).Message);
    }

    [Fact]
    public void A_criterion_from_weights_sees_the_group_and_must_give_one_score_per_channel()
    {
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 6);
        // Minus the filter's L2 norm: the highest norms are removed first, the opposite of OutputFilters(2).
        var inverse = ChannelImportance.FromWeights((w, consumers, block) => w.reshape(w.shape[0], -1).norm(1).neg() + 100, "inverse");
        var low = ChannelPruning.Select(model, 0.25, ChannelImportance.OutputFilters(2), null, "features.conv3")["features.conv3"];
        var high = ChannelPruning.Select(model, 0.25, inverse, null, "features.conv3")["features.conv3"];
        // Each keeps 24 of 32: the 24 largest norms, or the 24 smallest; they share the middle 16.
        Assert.Equal(16, low.Intersect(high).Count());
        var norms = model.state_dict()["features.conv3.weight"].reshape(32, -1).norm(1).data<float>().ToArray();
        var largest = Array.IndexOf(norms, norms.Max());
        Assert.Contains(largest, low);
        Assert.DoesNotContain(largest, high);
        var wrong = ChannelImportance.FromWeights((w, _, _) => ones(3), "three scores");
        var error = Assert.Throws<ArgumentException>(() => ChannelPruning.Select(model, 0.25, wrong, null, "features.conv3"));
        Assert.Contains("3 scores for the 32 channels of 'features.conv3'", error.Message);
    }
}
