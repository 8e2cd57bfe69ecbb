package org.retinasynth.quota;

import java.util.Optional;
import org.retinasynth.common.NotFoundException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Each owner's limits (its own row in {@code owner_quotas}, else the configured defaults) and its
 * use, counted from the rows that hold it. Checks read the use at the time of the request: two
 * requests of one owner racing each other may both pass, overshooting by at most one request.
 */
@Service
public class QuotaService {

    /** An owner's own limits; a null field takes the default. */
    public record Overrides(Long storedBytes, Long images, Long activeJobs, Long imagesPerGeneration) {
    }

    private final JdbcClient jdbc;
    private final QuotaProperties defaults;

    QuotaService(JdbcClient jdbc, QuotaProperties defaults) {
        this.jdbc = jdbc;
        this.defaults = defaults;
    }

    /** Refuses (409) a request that adds {@code adding} to an owner's use of {@code quota} past its limit. */
    public void require(String ownerId, Quota quota, long adding) {
        long limit = limits(ownerId).of(quota);
        long use = quota == Quota.IMAGES_PER_GENERATION ? 0 : usage(ownerId).of(quota);
        if (adding > 0 && use + adding > limit) {
            throw new QuotaExceededException(quota, limit, use, adding);
        }
    }

    /** Whether {@link #require} would pass now. */
    public boolean allows(String ownerId, Quota quota, long adding) {
        try {
            require(ownerId, quota, adding);
            return true;
        } catch (QuotaExceededException e) {
            return false;
        }
    }

    public Quotas limits(String ownerId) {
        Quotas d = defaults.limits();
        return overrides(ownerId).map(o -> new Quotas(or(o.storedBytes(), d.storedBytes()), or(o.images(), d.images()),
                or(o.activeJobs(), d.activeJobs()), or(o.imagesPerGeneration(), d.imagesPerGeneration()))).orElse(d);
    }

    public Usage usage(String ownerId) {
        return jdbc.sql("""
                        select (select coalesce(sum(i.original_bytes), 0) from images i join datasets d on d.id = i.dataset_id
                                where d.owner_id = :o) as stored_bytes,
                               (select count(*) from images i join datasets d on d.id = i.dataset_id where d.owner_id = :o)
                             + (select count(*) from generated_images g join jobs j on j.id = g.generation_id
                                where j.owner_id = :o) as images,
                               (select count(*) from jobs where owner_id = :o and parent_id is null
                                and state in ('QUEUED', 'RUNNING')) as active_jobs""")
                .param("o", ownerId)
                .query((rs, n) -> new Usage(rs.getLong("stored_bytes"), rs.getLong("images"), rs.getLong("active_jobs")))
                .single();
    }

    public Optional<Overrides> overrides(String ownerId) {
        return jdbc.sql("select * from owner_quotas where owner_id = ?").param(ownerId)
                .query((rs, n) -> new Overrides(rs.getObject("stored_bytes", Long.class), rs.getObject("images", Long.class),
                        rs.getObject("active_jobs", Long.class), rs.getObject("images_per_generation", Long.class)))
                .optional();
    }

    /** Replaces an owner's own limits; all-null fields return it to the defaults. */
    public void set(String ownerId, Overrides o) {
        for (Long v : new Long[] {o.storedBytes(), o.images(), o.activeJobs(), o.imagesPerGeneration()}) {
            if (v != null && v < 0) {
                throw new IllegalArgumentException("a quota is 0 or more");
            }
        }
        jdbc.sql("delete from owner_quotas where owner_id = ?").param(ownerId).update();
        jdbc.sql("insert into owner_quotas (owner_id, stored_bytes, images, active_jobs, images_per_generation) "
                        + "values (?,?,?,?,?)")
                .params(ownerId, o.storedBytes(), o.images(), o.activeJobs(), o.imagesPerGeneration()).update();
    }

    /** The id of the owner of this name, or 404. */
    public String ownerId(String name) {
        return jdbc.sql("select id from owners where name = ?").param(name).query(String.class).optional()
                .orElseThrow(() -> new NotFoundException("owner", name));
    }

    private static long or(Long v, long d) {
        return v == null ? d : v;
    }
}
