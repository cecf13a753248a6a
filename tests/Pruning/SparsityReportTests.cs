using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class SparsityReportTests
{
    [Fact]
    public void Zeros_totals_and_sparsity_per_layer_and_overall()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(Amount.Exactly(3)));
        var report = masks.Report();
        Assert.Equal(new[] { "fc1.weight", "fc2.weight" }, report.Layers.Select(l => l.Name));
        Assert.Equal(new long[] { 2, 4 }, report.Layers[0].Shape);
        Assert.Equal((3L, 8L, 5L, 0.375), (report.Layers[0].Zeros, report.Layers[0].Total, report.Layers[0].NonZeros, report.Layers[0].Sparsity));
        Assert.Equal((3L, 6L, 3L, 0.5), (report.Layers[1].Zeros, report.Layers[1].Total, report.Layers[1].NonZeros, report.Layers[1].Sparsity));
        Assert.Equal((6L, 14L), (report.Zeros, report.Total));
        Assert.Equal(6 / 14.0, report.Sparsity, 12);
        // Measured from the weights, the report agrees (pruned weights are exactly zero).
        Assert.Equal(report.Layers.Select(l => l.Zeros), SparsityReport.Of(model).Layers.Select(l => l.Zeros));
        Assert.Contains("fc1.weight", report.ToString());
    }

    [Fact]
    public void Masks_decide_the_zeros_when_given()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers(new float[,] { { 0, 0, 1, 1 }, { 1, 1, 1, 1 } });
        var fromWeights = SparsityReport.Of(model);
        Assert.Equal(2, fromWeights.Layers[0].Zeros);
        var fromMasks = SparsityReport.Of(model, masks: new Dictionary<string, Tensor> { ["fc1.weight"] = ones(2, 4) });
        Assert.Equal(0, fromMasks.Layers[0].Zeros);
    }

    [Fact]
    public void Convolutions_count_their_output_positions_in_the_macs()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet5, seed: 0);
        var report = SparsityReport.Of(model);
        Assert.Equal(new[] { "conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight", "fc3.weight" }, report.Layers.Select(l => l.Name));
        Assert.Equal(new long[] { 28 * 28, 10 * 10, 1, 1, 1 }, report.Layers.Select(l => l.OutputPositions));
        long[] dense = [6 * 25 * 784, 16 * 6 * 25 * 100, 400 * 120, 120 * 84, 84 * 10];
        Assert.Equal(dense, report.Layers.Select(l => l.DenseMacs));
        Assert.Equal(416_520, report.DenseMacs);
        Assert.Equal(report.DenseMacs, report.SparseMacs);

        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(0.5));
        var pruned = masks.Report();
        // Half of each layer: 75 of conv1's 150 weights, 1,200 of conv2's 2,400, and so on.
        Assert.Equal(dense.Sum() / 2, pruned.SparseMacs);
        Assert.Equal(75 * 784, pruned.Layers[0].SparseMacs);
        Assert.Equal(1200 * 100, pruned.Layers[1].SparseMacs);
        Assert.True(model.training, "measuring must leave the model in training mode");
    }

    [Fact]
    public void Convolutions_inside_a_sequential_count_their_output_positions_too()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 0);
        var report = SparsityReport.Of(model);
        // conv1–2 at 28×28, pool, conv3–4 at 14×14, pool, conv5 at 7×7; the classifier is linear.
        Assert.Equal(new long[] { 784, 784, 196, 196, 49, 1 }, report.Layers.Select(l => l.OutputPositions));
    }

    [Fact]
    public void Storage_of_a_hand_computed_case()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(0.5));   // fc1: 4 of 8 left in 2 rows, fc2: 3 of 6 left in 3 rows
        var (fc1, fc2) = (masks.Report().Layers[0], masks.Report().Layers[1]);
        Assert.Equal((32L, 8L * 4 + 4 * 3, 1L + 4 * 4), (fc1.DenseBytes, fc1.CsrBytes, fc1.BitmaskBytes));
        Assert.Equal((24L, 8L * 3 + 4 * 4, 1L + 4 * 3), (fc2.DenseBytes, fc2.CsrBytes, fc2.BitmaskBytes));
        Assert.Equal(32 + 24, masks.Report().DenseBytes);
        Assert.Equal(44 + 40, masks.Report().CsrBytes);
        Assert.Equal(17 + 13, masks.Report().BitmaskBytes);
    }

    [Theory]
    [InlineData(100, 10, 0, 400, 8 * 100 + 4 * 11, 13 + 400)]
    [InlineData(100, 10, 50, 400, 8 * 50 + 4 * 11, 13 + 200)]
    [InlineData(9, 1, 9, 36, 4 * 2, 2)]
    public void Storage_formulas(long total, long rows, long zeros, long denseBytes, long csrBytes, long bitmaskBytes)
    {
        var layer = new LayerSparsity("w", [rows, total / rows], zeros);
        Assert.Equal((denseBytes, csrBytes, bitmaskBytes), (layer.DenseBytes, layer.CsrBytes, layer.BitmaskBytes));
    }

    [Theory]
    // A 100×100 weight: CSR = 8·nnz + 404 bytes beats dense (40,000) once nnz < 4,949.5, i.e. just above 50 % sparsity.
    [InlineData(0, false)]
    [InlineData(4_900, false)]
    [InlineData(5_000, false)]
    [InlineData(5_050, false)]
    [InlineData(5_051, true)]
    [InlineData(5_100, true)]
    [InlineData(9_000, true)]
    public void Csr_beats_dense_storage_just_above_half_sparsity(long zeros, bool csrSmaller)
    {
        var layer = new LayerSparsity("w", [100, 100], zeros);
        Assert.Equal(csrSmaller, layer.CsrBytes < layer.DenseBytes);
    }

    // A network whose forward pass always throws: anything that needs one fails loudly.
    private sealed class NoForward : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear fc = nn.Linear(4, 3);
        public NoForward() : base("no-forward") => RegisterComponents();
        public override Tensor forward(Tensor input) => throw new InvalidOperationException("no forward pass expected");
    }

    [Fact]
    public void Sparsity_and_targets_are_counted_from_the_masks_without_a_forward_pass()
    {
        using var scope = NewDisposeScope();
        using var model = new NoForward();
        using var masks = ModelMasks.For(model);
        masks.PruneTo(0.5);
        Assert.Equal(6, masks.Zeros);
        Assert.Equal(0.5, masks.Sparsity);
        Assert.Equal(0.5, masks.Report().Sparsity);   // linear layers only: no forward pass needed for MACs either
        var gradual = new GradualPruning(masks, [(0L, 0.75)]);
        gradual.AfterOptimizerStep(model, 0);
        Assert.Equal(9, masks.Zeros);
    }

    [Fact]
    public void Convolutions_of_a_model_that_states_no_input_shape_need_one_given()
    {
        using var scope = NewDisposeScope();
        // 3×32×32 colour inputs: a 5×5 convolution gives 28×28 positions, a 3×3 one after pooling 12×12.
        using var model = nn.Sequential(("conv1", nn.Conv2d(3, 4, 5)), ("pool", nn.MaxPool2d(2)), ("conv2", nn.Conv2d(4, 2, 3)));
        var error = Assert.Throws<ArgumentException>(() => SparsityReport.Of(model));
        Assert.Contains("pass the shape of one input", error.Message);
        var report = SparsityReport.Of(model, inputShape: [3, 32, 32]);
        Assert.Equal(new long[] { 28 * 28, 12 * 12 }, report.Layers.Select(l => l.OutputPositions));
        Assert.Equal(4 * 3 * 25 * 784 + 2 * 4 * 9 * 144, report.DenseMacs);
    }

    [Fact]
    public void Excluded_layers_are_reported_but_not_part_of_the_masked_sparsity()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model, "fc2");
        masks.PruneTo(0.5);
        var report = masks.Report();
        Assert.Equal([true, false], report.Layers.Select(l => l.Masked));
        Assert.Equal(0.5, report.MaskedSparsity);
        Assert.Equal(4 / 14.0, report.Sparsity, 12);
        Assert.Contains("(excluded)", report.ToString());
    }
}
