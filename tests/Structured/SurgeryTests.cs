using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Structured;
using PruningLab.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Tests.Structured;

/// <summary>
/// Channel surgery: a shrunk model computes what the masked one computes when BatchNorm is handled (and not when it
/// is not), across conv → BatchNorm → conv, conv → flatten → linear and linear → linear; dead neurons leave MLPs without
/// changing their outputs; slimmed models save and reload; reordering channels changes nothing.
/// </summary>
public class SurgeryTests
{
    // Real images (the offline sample of Fashion-MNIST's validation split), and BatchNorm statistics from real images
    // too, so that running means and variances are not the initial 0 and 1.
    private static Tensor Images(int count = 64)
    {
        using var sample = FashionMnist.Load(Split.Validation, DatasetSize.Sample);
        using var batch = sample.Batches(count, shuffle: false, seed: 0).First();
        return batch.X.clone();
    }

    private static nn.Module<Tensor, Tensor> Model(string architecture, int seed = 3)
    {
        var model = ModelZoo.Create(architecture, seed);
        using var images = Images(128);
        model.train();
        using (no_grad()) model.call(images).Dispose();
        model.eval();
        return model;
    }

    private static float MaxDifference(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b, Tensor x)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return (a.call(x) - b.call(x)).abs().max().item<float>();
    }

    [Theory]
    [InlineData(ModelZoo.SmallVgg, 0.5)]
    [InlineData(ModelZoo.SmallVgg, 0.3)]
    [InlineData(ModelZoo.LeNet5, 0.5)]
    [InlineData(ModelZoo.LeNet300100, 0.5)]
    public void The_shrunk_model_computes_what_the_masked_model_computes_with_BatchNorm_handled(string architecture, double fraction)
    {
        using var scope = NewDisposeScope();
        using var dense = Model(architecture);
        using var x = Images();
        var keep = ChannelPruning.Select(dense, fraction);
        using var slim = ChannelSurgery.Shrink(dense, keep);
        using var masked = ModelZoo.Copy(dense);
        ChannelPruning.Mask(masked, keep, batchNorm: true);
        Assert.True(MaxDifference(slim, masked, x) < 1e-5f, $"{architecture}: shrunk and masked differ by {MaxDifference(slim, masked, x)}");
        // Really smaller: every group lost round(fraction × channels).
        var coupling = ChannelCoupling.For(dense);
        var slimCoupling = ChannelCoupling.For(slim);
        foreach (var group in coupling.Groups)
            Assert.Equal(coupling.Channels[group.Name] - (int)Math.Round(fraction * coupling.Channels[group.Name], MidpointRounding.ToEven), slimCoupling.Channels[group.Name]);
        Assert.True(slim.parameters().Sum(p => p.numel()) < dense.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void A_masked_channel_without_BatchNorm_handled_is_not_a_removed_channel()
    {
        using var scope = NewDisposeScope();
        using var dense = Model(ModelZoo.SmallVgg);
        using var x = Images();
        var keep = ChannelPruning.Select(dense, 0.5);
        using var slim = ChannelSurgery.Shrink(dense, keep);
        using var trap = ModelZoo.Copy(dense);
        ChannelPruning.Mask(trap, keep, batchNorm: false);
        // The zeroed filters' channels still output β − γ·μ/√(σ² + ε) through BatchNorm, and the next layer reads it.
        Assert.True(MaxDifference(slim, trap, x) > 1e-2f);
    }

    [Fact]
    public void Conv_to_flatten_to_linear_slices_blocks_of_positions()
    {
        using var scope = NewDisposeScope();
        using var dense = Model(ModelZoo.LeNet5);
        var keep = new Dictionary<string, long[]> { ["conv2"] = [1, 4, 9, 15] };
        using var slim = ChannelSurgery.Shrink(dense, keep);
        Assert.Equal("lenet-5-6-4-120-84", slim.GetName());
        var fc1 = dense.named_parameters().First(p => p.name == "fc1.weight").parameter;
        var slimFc1 = slim.named_parameters().First(p => p.name == "fc1.weight").parameter;
        Assert.Equal(new long[] { 120, 100 }, slimFc1.shape);
        // Channel 9 is the third kept: its 25 inputs 225…249 become 50…74.
        Assert.True(slimFc1.narrow(1, 50, 25).eq(fc1.narrow(1, 225, 25)).all().item<bool>());
        using var x = Images();
        using var masked = ModelZoo.Copy(dense);
        ChannelPruning.Mask(masked, keep);
        Assert.True(MaxDifference(slim, masked, x) < 1e-5f);
    }

    [Fact]
    public void The_slicing_functions_take_rows_blocks_of_columns_and_BatchNorm_entries()
    {
        using var scope = NewDisposeScope();
        var w = arange(24, dtype: float32).reshape(4, 6);
        var (rows, bias) = ChannelSurgery.SliceOutputs(w, tensor(new float[] { 10, 11, 12, 13 }), [3, 1]);
        Assert.Equal(new float[] { 18, 19, 20, 21, 22, 23, 6, 7, 8, 9, 10, 11 }, rows.flatten().data<float>().ToArray());
        Assert.Equal(new float[] { 13, 11 }, bias!.data<float>().ToArray());
        // 6 inputs = 3 channels × 2: keeping channel 2 keeps inputs 4 and 5.
        Assert.Equal(new float[] { 4, 5, 10, 11, 16, 17, 22, 23 }, ChannelSurgery.SliceInputs(w, [2], block: 2).flatten().data<float>().ToArray());
        var bn = ChannelSurgery.SliceBatchNorm(new BatchNormState(tensor(new float[] { 1, 2, 3 }), tensor(new float[] { 4, 5, 6 }),
            tensor(new float[] { 7, 8, 9 }), tensor(new float[] { 10, 11, 12 })), [0, 2]);
        Assert.Equal(new float[] { 1, 3, 4, 6, 7, 9, 10, 12 }, new[] { bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar }.SelectMany(t => t.data<float>().ToArray()));
    }

    [Fact]
    public void A_slimmed_model_saves_reloads_and_copies_under_its_own_architecture()
    {
        using var scope = NewDisposeScope();
        using var dense = Model(ModelZoo.SmallVgg);
        using var slim = ChannelSurgery.Shrink(dense, ChannelPruning.Select(dense, 0.5));
        Assert.Equal("small-vgg-8-8-M-16-16-M-32-M", slim.GetName());
        var path = Path.Combine(Path.GetTempPath(), $"pruninglab-slim-{Guid.NewGuid():N}.ckpt");
        try
        {
            Checkpoint.Save(slim, path);
            using var reloaded = ModelZoo.Create(slim.GetName(), seed: 9);
            Checkpoint.Load(reloaded, path);
            reloaded.eval();
            using var copy = ModelZoo.Copy(slim);
            using var x = Images();
            Assert.Equal(0f, MaxDifference(slim, reloaded, x));
            Assert.Equal(0f, MaxDifference(slim, copy, x));
            // The dense architecture refuses the slim file, naming both.
            using var wrong = ModelZoo.Create(ModelZoo.SmallVgg, seed: 0);
            var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(wrong, path));
            Assert.Contains("small-vgg-8-8-M-16-16-M-32-M", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Reordering_channels_by_importance_leaves_the_function_unchanged()
    {
        using var scope = NewDisposeScope();
        using var model = Model(ModelZoo.SmallVgg);
        using var original = ModelZoo.Copy(model);
        original.eval();
        var coupling = ChannelCoupling.For(model);
        foreach (var group in coupling.Groups)
        {
            var order = ChannelImportance.OutputFilters().Score(model, group).argsort(descending: true).data<long>().ToArray();
            ChannelSurgery.Reorder(model, group, order);
        }
        using var x = Images();
        Assert.True(MaxDifference(model, original, x) < 1e-5f);
        // Sorted: the first filter of conv3 now has the largest norm.
        var scores = ChannelImportance.OutputFilters().Score(model, coupling["features.conv3"]);
        Assert.Equal(scores.max().item<double>(), scores[0].item<double>());
    }

    [Fact]
    public void Dead_neurons_leave_an_MLP_with_their_weights_and_the_outputs_stay()
    {
        using var scope = NewDisposeScope();
        using var model = Model(ModelZoo.LeNet300100);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            parameters["fc1.weight"].narrow(0, 0, 40).zero_();             // 40 neurons of fc1 without inputs (constant relu(b))
            parameters["fc1.bias"].narrow(0, 0, 40).fill_(0.3f);           // … that output 0.3: folded into fc2's bias
            parameters["fc3.weight"].narrow(1, 90, 10).zero_();            // 10 neurons of fc2 nobody listens to
        }
        using var slim = DeadNeurons.Shrink(model);
        Assert.Equal("mlp-784-260-90-10", slim.GetName());
        using var x = Images();
        Assert.True(MaxDifference(model, slim, x) < 1e-5f, $"outputs differ by {MaxDifference(model, slim, x)}");
        Assert.Throws<ArgumentException>(() => DeadNeurons.Shrink(ModelZoo.Create(ModelZoo.SmallVgg, 0)));
    }

    [Fact]
    public void Bad_input_gets_an_error_that_names_the_layer()
    {
        using var scope = NewDisposeScope();
        using var vgg = ModelZoo.Create(ModelZoo.SmallVgg, seed: 0);
        // Removing all channels of a layer.
        var all = Assert.Throws<ArgumentException>(() => ChannelPruning.Select(vgg, 1.0));
        Assert.Contains("features.conv1", all.Message);
        Assert.Throws<ArgumentException>(() => ChannelSurgery.Shrink(vgg, new Dictionary<string, long[]> { ["features.conv2"] = [] }));
        Assert.Throws<ArgumentException>(() => ChannelSurgery.Shrink(vgg, new Dictionary<string, long[]> { ["features.conv2"] = [0, 16] }));
        // A model whose coupling is not described, and a description that leaves a layer out.
        using var other = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("flatten", nn.Flatten()), ("fc", nn.Linear(4 * 26 * 26, 10)));
        Assert.Contains("ChannelCoupling.Describe", Assert.Throws<ArgumentException>(() => ChannelCoupling.For(other)).Message);
        var uncovered = Assert.Throws<ArgumentException>(() => ChannelCoupling.Describe(other, [], ["fc"], _ => ""));
        Assert.Contains("'conv'", uncovered.Message);
        var wrongBlock = Assert.Throws<ArgumentException>(() => ChannelCoupling.Describe(other, [new ChannelGroup("conv", null, [new ChannelConsumer("fc", 25)])], ["fc"], _ => ""));
        Assert.Contains("'fc'", wrongBlock.Message);
        var fine = ChannelCoupling.Describe(other, [new ChannelGroup("conv", null, [new ChannelConsumer("fc", 676)])], ["fc"], _ => "");
        Assert.Equal(4, fine.Channels["conv"]);
    }

    [Fact]
    public void Every_course_architecture_has_a_coupling_that_fits_it()
    {
        foreach (var architecture in ModelZoo.Architectures.Append(ModelZoo.Mlp(64, 32)))
        {
            using var model = ModelZoo.Create(architecture, seed: 0);
            var coupling = ChannelCoupling.For(model);
            Assert.NotEmpty(coupling.Groups);
            Assert.Equal(architecture == ModelZoo.LeNet300100 ? ModelZoo.Mlp(300, 100) : architecture, coupling.ArchitectureWith(new Dictionary<string, int>()));
        }
    }
}
