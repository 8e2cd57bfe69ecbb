package org.retinasynth.quota;

import org.retinasynth.common.ConflictException;

/** A request that would take an owner past one of its limits; nothing of it was stored. */
public class QuotaExceededException extends ConflictException {

    private final Quota quota;
    private final long limit;
    private final long use;
    private final long requested;

    public QuotaExceededException(Quota quota, long limit, long use, long requested) {
        super("quota " + quota.field() + " exceeded: the limit is " + limit + ", " + use + " in use and this request "
                + "adds " + requested + "; nothing was stored");
        this.quota = quota;
        this.limit = limit;
        this.use = use;
        this.requested = requested;
    }

    public Quota quota() {
        return quota;
    }

    public long limit() {
        return limit;
    }

    public long use() {
        return use;
    }

    public long requested() {
        return requested;
    }
}
