package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import io.procpool.SerializationException;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;

/**
 * Kryo's serializer for serialisable lambdas, writing the same format after a leading flag, with two fixes:
 * <ul>
 *   <li>Kryo looks up a lambda's capturing class through its own class loader, which fails for an application on a
 *   class loader of its own ({@code mvn exec:java}, a servlet container, a plugin host). This looks it up through
 *   the lambda's own loader, which is the capturing class's.</li>
 *   <li>A lambda the JDK makes ({@code Comparator.comparing}, {@code thenComparing}) lives in a package that is not
 *   open to us, so its {@code writeReplace} and its capturing class's {@code $deserializeLambda$} cannot be called
 *   reflectively. Java serialisation can call both: such a lambda crosses through {@link JavaShapeSerializer}, with
 *   what it captures (the caller's own lambdas) handed back to Kryo.</li>
 * </ul>
 */
final class LambdaSerializer extends ClosureSerializer {
    private final JavaShapeSerializer javaShape;

    LambdaSerializer(JavaShapeSerializer javaShape) {
        this.javaShape = javaShape;
    }

    @Override
    public void write(Kryo kryo, Output output, Object object) {
        boolean sealed = !isOpenToUs(object.getClass());
        output.writeBoolean(sealed);
        if (sealed) {
            javaShape.write(kryo, output, object);
            return;
        }
        SerializedLambda lambda = toSerializedLambda(object);
        int count = lambda.getCapturedArgCount();
        output.writeVarInt(count, true);
        for (int i = 0; i < count; i++) {
            kryo.writeClassAndObject(output, lambda.getCapturedArg(i));
        }
        try {
            kryo.writeClass(output, Class.forName(lambda.getCapturingClass().replace('/', '.'), false,
                    object.getClass().getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new KryoException("Error writing closure.", e);
        }
        output.writeString(lambda.getFunctionalInterfaceClass());
        output.writeString(lambda.getFunctionalInterfaceMethodName());
        output.writeString(lambda.getFunctionalInterfaceMethodSignature());
        output.writeVarInt(lambda.getImplMethodKind(), true);
        output.writeString(lambda.getImplClass());
        output.writeString(lambda.getImplMethodName());
        output.writeString(lambda.getImplMethodSignature());
        output.writeString(lambda.getInstantiatedMethodType());
    }

    @Override
    public Object read(Kryo kryo, Input input, Class type) {
        return input.readBoolean() ? javaShape.read(kryo, input, type) : super.read(kryo, input, type);
    }

    /** Whether reflection may reach into the lambda's class: false for the JDK's own lambdas. */
    private static boolean isOpenToUs(Class<?> lambdaClass) {
        return lambdaClass.getModule().isOpen(lambdaClass.getPackageName(), LambdaSerializer.class.getModule());
    }

    private static SerializedLambda toSerializedLambda(Object lambda) {
        Method writeReplace;
        try {
            writeReplace = lambda.getClass().getDeclaredMethod("writeReplace");
        } catch (NoSuchMethodException e) {
            // Only a serialisable lambda's class has one.
            throw new SerializationException("cannot serialise " + lambda.getClass().getName() + ": "
                    + Lambdas.FIX, e);
        }
        try {
            writeReplace.setAccessible(true);
            return (SerializedLambda) writeReplace.invoke(lambda);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new KryoException("Could not serialize lambda " + lambda.getClass().getName(), e);
        }
    }
}
