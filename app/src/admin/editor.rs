//! The post editor: Markdown beside a live preview (rendered by the server
//! with the public page's sanitiser), autosave of drafts, a warning before
//! leaving with unsaved changes, slug suggestion and check, SEO fields with
//! counters and a search-result preview, and publishing.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::{check_slug, create_preview, delete_post, get_editor, publish_post, render_preview, save_post};
use super::model::{EditorData, EditorStatus, PostForm, PublishAction, Saved};
use crate::error::AppError;
use crate::ui::ErrorView;

/// Seconds between autosaves of a draft with unsaved changes.
pub const AUTOSAVE_SECONDS: u64 = 5;
/// Search engines show about this many characters.
pub const SEO_TITLE_ADVICE: usize = 60;
pub const SEO_DESCRIPTION_ADVICE: usize = 160;

/// A slug suggestion from a title, as the server would make it (lower-case
/// ASCII words joined by hyphens).
pub fn suggest_slug(title: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in title.chars() {
        let mapped: Option<char> = match c {
            'a'..='z' | '0'..='9' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => Some('a'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' => Some('i'),
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' => Some('u'),
            'ñ' => Some('n'),
            'ç' => Some('c'),
            _ => None,
        };
        match mapped {
            Some(m) => {
                if pending_dash && !out.is_empty() {
                    out.push('-');
                }
                pending_dash = false;
                out.push(m);
            }
            None => pending_dash = true,
        }
    }
    out.chars().take(120).collect::<String>().trim_end_matches('-').to_string()
}

/// Markdown reduced to its words, for the search-result preview.
fn plain_words(md: &str) -> String {
    md.split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, '#' | '*' | '_' | '`' | '>' | '[' | ']')))
        .filter(|w| !w.is_empty() && *w != "-")
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn EditorPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let id = move || params.with(|p| p.get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0));
    let data = Resource::new(move || (clinic(), id()), |(c, i)| get_editor(c, i));
    view! {
        <Suspense fallback=|| view! { <p class="wrap">"Loading the editor…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Editor clinic=clinic() data=d /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn field_error(errors: RwSignal<Vec<(String, String)>>, field: &'static str) -> impl Fn() -> Option<String> + Copy {
    move || errors.with(|e| e.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
}

const FIELD_LABELS: [(&str, &str); 11] = [
    ("title", "Title"),
    ("slug", "Address (slug)"),
    ("body_md", "Text"),
    ("excerpt", "Excerpt"),
    ("category", "Category"),
    ("tags", "Tags"),
    ("author_id", "Author"),
    ("seo_title", "SEO title"),
    ("seo_description", "SEO description"),
    ("featured_image_alt", "Image alt text"),
    ("publish_at", "Publish date"),
];

#[component]
fn Editor(clinic: String, data: EditorData) -> impl IntoView {
    let EditorData {
        id,
        version,
        status,
        local_publish_at,
        form: initial,
        authors,
        locations,
        categories,
        tags,
        public_url,
        timezone,
        preview_html,
        media,
        ..
    } = data;
    let clinic = StoredValue::new(clinic);
    let media_alts = StoredValue::new(media.iter().map(|m| (m.url.clone(), m.alt.clone())).collect::<Vec<_>>());
    let media_options: Vec<(String, String)> =
        media.iter().map(|m| (m.url.clone(), format!("{} ({})", m.original_name, m.alt))).collect();
    let timezone = StoredValue::new(timezone);
    // A draft's slug follows its title until the slug is edited by hand.
    let slug_touched = RwSignal::new(status != EditorStatus::Draft || initial.slug != suggest_slug(&initial.title));
    let form = RwSignal::new(initial.clone());
    let version = RwSignal::new(version);
    let status = RwSignal::new(status);
    let dirty = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let saved_label = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(String, String)>::new());
    let banner = RwSignal::new(None::<(bool, String)>); // (is_error, message)
    let preview = RwSignal::new(preview_html);
    let slug_note = RwSignal::new(None::<(bool, String)>);
    let public_url = RwSignal::new(public_url);
    let publish_at = RwSignal::new(local_publish_at.unwrap_or_default());

    let edit = move |f: &dyn Fn(&mut PostForm)| {
        form.update(|x| f(x));
        dirty.set(true);
    };

    // Live preview: re-render shortly after typing stops.
    let generation = StoredValue::new(0u64);
    let refresh_preview = move || {
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let md = form.with_untracked(|f| f.body_md.clone());
        set_timeout(
            move || {
                if generation.get_value() != mine {
                    return;
                }
                spawn_local(async move {
                    if let Ok(html) = render_preview(clinic.get_value(), md).await
                        && generation.get_value() == mine
                    {
                        preview.set(html);
                    }
                });
            },
            std::time::Duration::from_millis(250),
        );
    };

    let apply_saved = move |s: Saved| {
        version.set(s.version);
        status.set(s.status);
        let base = public_url.get_untracked();
        let root = base.rsplit_once("/blog/").map(|(r, _)| r.to_string()).unwrap_or(base);
        public_url.set(format!("{root}/blog/{}", s.slug));
        form.update(|f| f.slug = s.slug.clone());
        saved_label.set(format!("Saved {}", s.saved_at_local));
        errors.set(Vec::new());
    };
    let show_error = move |e: AppError| match e {
        AppError::Fields(list) => {
            errors.set(list);
            banner.set(Some((true, "The post was not saved: please correct the fields marked below.".into())));
        }
        AppError::Validation { field, message } => {
            errors.set(vec![(field, message)]);
            banner.set(Some((true, "Please correct the field marked below.".into())));
        }
        other => banner.set(Some((true, other.to_string()))),
    };

    let save = move |autosave: bool| async move {
        if busy.get_untracked() {
            return false;
        }
        busy.set(true);
        let sent = form.get_untracked();
        let result = save_post(clinic.get_value(), id, version.get_untracked(), sent.clone(), autosave).await;
        busy.set(false);
        match result {
            Ok(s) => {
                // Typing during the save keeps the page dirty.
                if form.with_untracked(|f| *f == sent) {
                    dirty.set(false);
                }
                apply_saved(s);
                if !autosave {
                    banner.set(Some((false, "Saved.".into())));
                }
                true
            }
            Err(e) => {
                show_error(e);
                false
            }
        }
    };

    let publish = move |action: PublishAction| {
        spawn_local(async move {
            if dirty.get_untracked() && !save(false).await {
                return;
            }
            busy.set(true);
            let result = publish_post(clinic.get_value(), id, version.get_untracked(), action.clone()).await;
            busy.set(false);
            match result {
                Ok(s) => {
                    let msg = match action {
                        PublishAction::PublishNow => "Published. The post is live.".to_string(),
                        PublishAction::Schedule(_) => {
                            format!(
                                "Scheduled for {} ({}).",
                                publish_at.get_untracked().replace('T', " "),
                                timezone.get_value()
                            )
                        }
                        PublishAction::Unpublish => "Unpublished: the post is a draft again.".to_string(),
                        PublishAction::Archive => "Archived.".to_string(),
                    };
                    apply_saved(s);
                    banner.set(Some((false, msg)));
                }
                Err(e) => show_error(e),
            }
        });
    };

    let remove = move || {
        #[cfg(feature = "hydrate")]
        {
            let sure = window()
                .confirm_with_message("Delete this post and all its revisions for good? This cannot be undone.")
                .unwrap_or(false);
            if !sure {
                return;
            }
        }
        spawn_local(async move {
            busy.set(true);
            let result = delete_post(clinic.get_value(), id, version.get_untracked()).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    dirty.set(false);
                    let list = format!("/admin/{}/posts", clinic.get_value());
                    #[cfg(feature = "hydrate")]
                    let _ = window().location().set_href(&list);
                    #[cfg(not(feature = "hydrate"))]
                    let _ = list;
                }
                Err(e) => show_error(e),
            }
        });
    };

    // Autosave drafts, and warn before leaving with unsaved changes (browser only).
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                if dirty.get_untracked() && status.get_untracked() == EditorStatus::Draft && !busy.get_untracked() {
                    spawn_local(async move {
                        save(true).await;
                    });
                }
            },
            std::time::Duration::from_secs(AUTOSAVE_SECONDS),
        );
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if dirty.get_untracked() {
                ev.prevent_default();
                ev.set_return_value("You have unsaved changes.");
            }
        });
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
            unload.remove();
        });
    }

    let check = move || {
        let slug = form.with_untracked(|f| f.slug.clone());
        spawn_local(async move {
            match check_slug(clinic.get_value(), id, slug).await {
                Ok(c) if c.available => slug_note.set(Some((false, format!("/blog/{} is free.", c.slug)))),
                Ok(c) => slug_note.set(Some((true, c.message.unwrap_or_default()))),
                Err(e) => slug_note.set(Some((true, e.to_string()))),
            }
        });
    };

    let share = RwSignal::new(None::<Result<super::model::PreviewLink, AppError>>);
    let make_preview = move || {
        spawn_local(async move {
            share.set(Some(create_preview(clinic.get_value(), id).await));
        });
    };

    let title_err = field_error(errors, "title");
    let slug_err = field_error(errors, "slug");
    let body_err = field_error(errors, "body_md");
    let excerpt_err = field_error(errors, "excerpt");
    let category_err = field_error(errors, "category");
    let tags_err = field_error(errors, "tags");
    let seo_title_err = field_error(errors, "seo_title");
    let seo_desc_err = field_error(errors, "seo_description");
    let image_err = field_error(errors, "featured_image");
    let alt_err = field_error(errors, "featured_image_alt");
    let publish_err = field_error(errors, "publish_at");
    let suggestion = move || {
        let s = suggest_slug(&form.with(|f| f.title.clone()));
        (!s.is_empty() && s != form.with(|f| f.slug.clone())).then_some(s)
    };
    let seo_title_len = move || form.with(|f| f.seo_title.chars().count());
    let seo_desc_len = move || form.with(|f| f.seo_description.chars().count());
    let serp_title =
        move || form.with(|f| if f.seo_title.trim().is_empty() { f.title.clone() } else { f.seo_title.clone() });
    let serp_desc = move || {
        form.with(|f| {
            if !f.seo_description.trim().is_empty() {
                f.seo_description.clone()
            } else if !f.excerpt.trim().is_empty() {
                f.excerpt.clone()
            } else {
                plain_words(&f.body_md)
            }
        })
    };
    let title_for_tab = move || format!("{} · Edit post · Clinicpress", form.with(|f| f.title.clone()));
    let revisions_href = format!("/admin/{}/posts/{id}/revisions", clinic.get_value());
    let posts_href = format!("/admin/{}/posts", clinic.get_value());

    view! {
        <Title text=title_for_tab />
        <noscript><p class="wrap notice">"The editor needs JavaScript for saving, the live preview and autosave."</p></noscript>
        <form class="editor wrap" novalidate on:submit=move |ev| {
            ev.prevent_default();
            spawn_local(async move { save(false).await; });
        }>
            <div class="editor-head">
                // The page's heading, for screen readers: the title field is what people see.
                <h1 class="visually-hidden">
                    {move || form.with(|f| match f.title.trim() {
                        "" => "Edit post".to_string(),
                        t => format!("Edit post: {t}"),
                    })}
                </h1>
                <p class="crumbs"><a href=posts_href.clone() rel="external">"← All posts"</a></p>
                <div role="status" aria-live="polite" class="save-state">
                    <span class=move || format!("badge badge-{}", status.get().as_str())>{move || status.get().label()}</span>
                    " "
                    {move || if busy.get() { "Saving…".to_string() } else if dirty.get() { "Unsaved changes".to_string() } else { saved_label.get() }}
                </div>
            </div>
            {move || banner.get().map(|(is_err, msg)| {
                let list = errors.get();
                view! {
                    <div class=if is_err { "form-error" } else { "notice" } role=if is_err { "alert" } else { "status" }>
                        <p>{msg}</p>
                        {(!list.is_empty()).then(|| view! {
                            <ul>
                                {list.into_iter().map(|(f, m)| {
                                    let label = FIELD_LABELS.iter().find(|(k, _)| *k == f).map(|(_, l)| *l).unwrap_or("Field");
                                    view! { <li><a href=format!("#{f}")>{format!("{label}: {m}")}</a></li> }
                                }).collect_view()}
                            </ul>
                        })}
                    </div>
                }
            })}
            <div class="editor-grid">
                {view! { <div class="editor-main">
                    <label for="title">"Title"</label>
                    <input id="title" class="title-input" required maxlength="200"
                        prop:value=move || form.with(|f| f.title.clone())
                        aria-invalid=move || title_err().is_some().to_string()
                        aria-describedby="title-error"
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            edit(&|f| f.title = v.clone());
                            if !slug_touched.get_untracked() {
                                let s = suggest_slug(&v);
                                edit(&|f| f.slug = s.clone());
                            }
                        } />
                    <p id="title-error" class="field-error">{title_err}</p>

                    <label for="slug">"Address (slug)"</label>
                    <div class="slug-row">
                        <span class="muted" aria-hidden="true">"/blog/"</span>
                        <input id="slug" maxlength="200" aria-describedby="slug-error slug-note"
                            aria-invalid=move || slug_err().is_some().to_string()
                            prop:value=move || form.with(|f| f.slug.clone())
                            on:input=move |ev| { slug_touched.set(true); let v = event_target_value(&ev); edit(&|f| f.slug = v.clone()); }
                            on:change=move |_| check() />
                        {move || suggestion().map(|s| view! {
                            <button type="button" class="link-button" on:click=move |_| { let s2 = s.clone(); edit(&|f| f.slug = s2.clone()); check(); }>
                                {format!("Use \u{201c}{}\u{201d}", suggestion().unwrap_or_default())}
                            </button>
                        })}
                    </div>
                    <p id="slug-error" class="field-error">{slug_err}</p>
                    <p id="slug-note" class=move || if slug_note.get().is_some_and(|(bad, _)| bad) { "field-error" } else { "hint" }>
                        {move || slug_note.get().map(|(_, m)| m)}
                    </p>

                    <div class="panes">
                        <div class="pane">
                            <label for="body_md">"Text (Markdown)"</label>
                            <textarea id="body_md" rows="24" aria-describedby="body-hint body-error"
                                aria-invalid=move || body_err().is_some().to_string()
                                prop:value=move || form.with(|f| f.body_md.clone())
                                on:input=move |ev| { let v = event_target_value(&ev); edit(&|f| f.body_md = v.clone()); refresh_preview(); }></textarea>
                            <p id="body-hint" class="hint">"## for a heading, - for a list item, **bold**, [link](https://…)."</p>
                            <p id="body-error" class="field-error">{body_err}</p>
                        </div>
                        <div class="pane">
                            <h2 class="pane-title" id="preview-title">"Preview"</h2>
                            <div class="preview prose" aria-labelledby="preview-title" inner_html=move || preview.get()></div>
                        </div>
                    </div>

                    <label for="excerpt">"Excerpt"</label>
                    <p class="hint" id="excerpt-hint">"One or two sentences for lists and feeds. Left empty, the start of the text is used."</p>
                    <textarea id="excerpt" rows="3" aria-describedby="excerpt-hint excerpt-error"
                        prop:value=move || form.with(|f| f.excerpt.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); edit(&|f| f.excerpt = v.clone()); }></textarea>
                    <p id="excerpt-error" class="field-error">{excerpt_err}</p>
                </div> }.into_any()}

                <aside class="editor-side" aria-label="Publishing and details">
                    {view! { <section class="panel">
                        <h2>"Publish"</h2>
                        <button class="button" type="submit" disabled=move || busy.get()>"Save"</button>
                        <p class="hint">{move || if status.get() == EditorStatus::Draft { format!("Drafts save themselves every {AUTOSAVE_SECONDS} seconds.") } else { "Changes to a live post show once you save.".into() }}</p>
                        {move || (status.get() != EditorStatus::Published).then(|| view! {
                            <button class="button" type="button" disabled=move || busy.get() on:click=move |_| publish(PublishAction::PublishNow)>"Publish now"</button>
                        })}
                        <label for="publish_at">{format!("Publish at ({})", timezone.get_value())}</label>
                        <input id="publish_at" type="datetime-local" aria-describedby="publish-error"
                            aria-invalid=move || publish_err().is_some().to_string()
                            prop:value=move || publish_at.get()
                            on:input=move |ev| publish_at.set(event_target_value(&ev)) />
                        <button class="button secondary" type="button" disabled=move || busy.get()
                            on:click=move |_| publish(PublishAction::Schedule(publish_at.get_untracked()))>"Schedule"</button>
                        <p id="publish-error" class="field-error">{publish_err}</p>
                        {move || matches!(status.get(), EditorStatus::Published | EditorStatus::Scheduled).then(|| view! {
                            <button class="button secondary" type="button" on:click=move |_| publish(PublishAction::Unpublish)>"Unpublish"</button>
                        })}
                        {move || (status.get() != EditorStatus::Archived).then(|| view! {
                            <button class="link-button" type="button" on:click=move |_| publish(PublishAction::Archive)>"Archive"</button>
                        })}
                        {move || matches!(status.get(), EditorStatus::Draft | EditorStatus::Archived).then(|| view! {
                            <button class="link-button danger" type="button" disabled=move || busy.get() on:click=move |_| remove()>"Delete permanently"</button>
                        })}
                        <p>
                            {move || (status.get() == EditorStatus::Published).then(|| view! { <a href=public_url.get() rel="external">"View the post"</a>" · " })}
                            <a href=revisions_href.clone() rel="external">"Revisions"</a>
                        </p>
                        <button class="button secondary" type="button" on:click=move |_| make_preview()>"Share a preview link"</button>
                        {move || share.get().map(|r| match r {
                            Ok(link) => view! {
                                <label for="preview-link">"Preview link (no sign-in needed)"</label>
                                <input id="preview-link" readonly prop:value=link.url.clone() aria-describedby="preview-link-hint" />
                                <p id="preview-link-hint" class="hint">{format!("Valid until {}. Anyone with the link can read this version.", crate::text::long_date(link.expires_at))}</p>
                            }.into_any(),
                            Err(e) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                        })}
                    </section> }.into_any()}

                    {view! { <section class="panel">
                        <h2>"Details"</h2>
                        <label for="category">"Category"</label>
                        <input id="category" list="category-list" aria-describedby="category-error"
                            prop:value=move || form.with(|f| f.category.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(&|f| f.category = v.clone()); } />
                        <datalist id="category-list">{categories.into_iter().map(|c| view! { <option value=c></option> }).collect_view()}</datalist>
                        <p id="category-error" class="field-error">{category_err}</p>
                        <label for="tags">"Tags"</label>
                        <input id="tags" list="tag-list" aria-describedby="tags-hint tags-error"
                            prop:value=move || form.with(|f| f.tags.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(&|f| f.tags = v.clone()); } />
                        <datalist id="tag-list">{tags.into_iter().map(|t| view! { <option value=t></option> }).collect_view()}</datalist>
                        <p id="tags-hint" class="hint">"Separate tags with commas; new ones are created on save."</p>
                        <p id="tags-error" class="field-error">{tags_err}</p>
                        <label for="author_id">"Author"</label>
                        <select id="author_id" on:change=move |ev| {
                            let v = event_target_value(&ev).parse::<i32>().ok();
                            edit(&|f| f.author_id = v);
                        }>
                            <option value="" selected=move || form.with(|f| f.author_id.is_none())>"— none —"</option>
                            {authors.into_iter().map(|a| view! {
                                <option value=a.id.to_string() selected=move || form.with(|f| f.author_id == Some(a.id))>{a.name}</option>
                            }).collect_view()}
                        </select>
                        <fieldset>
                            <legend>"Relevant offices"</legend>
                            {locations.into_iter().map(|l| {
                                let lid = l.id;
                                view! {
                                    <label class="check">
                                        <input type="checkbox" value=lid.to_string()
                                            prop:checked=move || form.with(|f| f.location_ids.contains(&lid))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                edit(&|f| { f.location_ids.retain(|x| *x != lid); if on { f.location_ids.push(lid); } });
                                            } />
                                        {l.name}
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                    </section> }.into_any()}

                    {view! { <section class="panel">
                        <h2>"Search engines"</h2>
                        <label for="seo_title">"SEO title"</label>
                        <input id="seo_title" aria-describedby="seo-title-count seo-title-error"
                            prop:value=move || form.with(|f| f.seo_title.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(&|f| f.seo_title = v.clone()); } />
                        <p id="seo-title-count" class=move || { if seo_title_len() > SEO_TITLE_ADVICE { "hint over" } else { "hint" } }>
                            {move || format!("{} of about {SEO_TITLE_ADVICE} characters", seo_title_len())}
                        </p>
                        <p id="seo-title-error" class="field-error">{seo_title_err}</p>
                        <label for="seo_description">"SEO description"</label>
                        <textarea id="seo_description" rows="3" aria-describedby="seo-desc-count seo-desc-error"
                            prop:value=move || form.with(|f| f.seo_description.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(&|f| f.seo_description = v.clone()); }></textarea>
                        <p id="seo-desc-count" class=move || { if seo_desc_len() > SEO_DESCRIPTION_ADVICE { "hint over" } else { "hint" } }>
                            {move || format!("{} of about {SEO_DESCRIPTION_ADVICE} characters", seo_desc_len())}
                        </p>
                        <p id="seo-desc-error" class="field-error">{seo_desc_err}</p>
                        <div class="serp" aria-label="Search result preview" role="group">
                            <p class="serp-url">{move || public_url.get()}</p>
                            <p class="serp-title">{move || { let t = serp_title(); if t.chars().count() > SEO_TITLE_ADVICE { format!("{}…", t.chars().take(SEO_TITLE_ADVICE).collect::<String>()) } else { t } }}</p>
                            <p class="serp-desc">{move || { let d = serp_desc(); if d.chars().count() > SEO_DESCRIPTION_ADVICE { format!("{}…", d.chars().take(SEO_DESCRIPTION_ADVICE).collect::<String>()) } else { d } }}</p>
                        </div>
                    </section> }.into_any()}

                    {view! { <section class="panel">
                        <h2>"Featured image"</h2>
                        <label for="media-choice">"Choose an uploaded image"</label>
                        <select id="media-choice" on:change=move |ev| {
                            let url = event_target_value(&ev);
                            let alt = media_alts.with_value(|m| m.iter().find(|(u, _)| *u == url).map(|(_, a)| a.clone()));
                            edit(&|f| {
                                f.featured_image = url.clone();
                                if f.featured_image_alt.trim().is_empty() {
                                    f.featured_image_alt = alt.clone().unwrap_or_default();
                                }
                            });
                        }>
                            <option value="">"— none —"</option>
                            {media_options.clone().into_iter().map(|(url, name)| {
                                let u = url.clone();
                                view! { <option value=url selected=move || form.with(|f| f.featured_image == u)>{name}</option> }
                            }).collect_view()}
                        </select>
                        <p class="hint"><a href=format!("/admin/{}/media", clinic.get_value()) rel="external">"Upload images"</a>" on the Images page."</p>
                        <label for="featured_image">"Image address"</label>
                        <input id="featured_image" aria-describedby="image-error"
                            prop:value=move || form.with(|f| f.featured_image.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(&|f| f.featured_image = v.clone()); } />
                        <p id="image-error" class="field-error">{image_err}</p>
                        <label for="featured_image_alt">"Alt text (required with an image)"</label>
                        <input id="featured_image_alt" aria-describedby="alt-error"
                            aria-invalid=move || alt_err().is_some().to_string()
                            prop:value=move || form.with(|f| f.featured_image_alt.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(&|f| f.featured_image_alt = v.clone()); } />
                        <p id="alt-error" class="field-error">{alt_err}</p>
                    </section> }.into_any()}
                </aside>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::suggest_slug;

    #[test]
    fn slug_suggestions() {
        assert_eq!(suggest_slug("Knee Pain: 5 Exercises That Help"), "knee-pain-5-exercises-that-help");
        assert_eq!(suggest_slug("  Café & Crème  "), "cafe-creme");
        assert_eq!(suggest_slug("???"), "");
    }
}
