# %%
# In a fresh hosted notebook (Colab, Kaggle), remove the "#" before %pip and
# run this cell first: it installs kerasteach (or the wheel your teacher gives).
# # %pip install kerasteach

# %% [markdown]
# # 5. CIFAR-10 in colour, watched in TensorBoard
#
# 32x32 colour photos of aeroplanes, cars, birds, cats... far harder than
# digits. Two convolution blocks with batch normalization, and TensorBoard
# callbacks that show the loss curves, the feature maps of four test photos
# epoch by epoch, and which classes are confused.
#
# During or after training:
# `kerasteach tensorboard outputs/05_cifar10_tensorboard/logs`

# %%
import kerasteach.quiet  # first, before Keras: no TensorFlow start-up messages

import keras
from kerasteach.course import load_images, options, output_folder, save_results, score

import kerasteach

args = options("A CIFAR-10 CNN with TensorBoard", epochs=20)
out = output_folder(args, "05_cifar10_tensorboard")
data = load_images("cifar10", args.quick, normalize=True, validation_split=0.1)
(x_train, y_train), (x_test, y_test) = data
x_val, y_val = data.validation
print(x_train.shape, data.class_names)


# %%
def block(filters: int, name: str) -> list:
    return [
        keras.layers.Conv2D(filters, 3, padding="same", name=f"{name}_conv"),
        keras.layers.BatchNormalization(name=f"{name}_norm"),
        keras.layers.Activation("relu", name=f"{name}_relu"),
        keras.layers.MaxPooling2D(name=f"{name}_pool"),
    ]


keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input((32, 32, 3)),
        *block(32, "block1"),
        *block(64, "block2"),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax", name="label"),
    ],
    name="cifar10_cnn",
)
kerasteach.summary(model).print()
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])

# %%
callbacks = kerasteach.tensorboard_callbacks(
    out / "logs",
    sample=x_test[:4],
    class_names=data.class_names,
    validation_data=(x_val, y_val),
)
model.fit(
    x_train,
    y_train,
    epochs=args.epochs,
    batch_size=64,
    validation_data=(x_val, y_val),
    verbose=0,
    callbacks=[kerasteach.TqdmProgress(), *callbacks],
)
accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
print(f"Test accuracy: {score(data, accuracy)}")
print(f"See it: kerasteach tensorboard {out / 'logs'}")
save_results(out, {"CNN": accuracy})
