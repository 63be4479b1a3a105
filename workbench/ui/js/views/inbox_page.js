// The agent workbench: inbox | conversation | contact, kept live by the
// WorkbenchState's events.
import { h, mount } from '../dom.js';
import { ApiError } from '../api.js';
import { t } from '../i18n.js';
import { InboxList } from './inbox_list.js';
import { ConversationPane } from './conversation_pane.js';
import { ContactPanel } from './contact_panel.js';

export class InboxPage {
  constructor(main, state, rest) {
    this.state = state;
    const inboxEl = h('section', { class: 'pane pane--inbox', 'aria-label': t('inbox.title') });
    const convEl = h('section', { class: 'pane pane--conversation', 'aria-label': t('conv.history') });
    const contactEl = h('aside', { class: 'pane pane--contact', 'aria-label': t('contact.title') });
    mount(main, h('div', { class: 'workbench' }, inboxEl, convEl, contactEl));
    main.className = 'page page--workbench';
    this.list = new InboxList(inboxEl, state);
    this.conversation = new ConversationPane(convEl, state);
    this.contact = new ContactPanel(contactEl, state);
    this.contactEl = contactEl;

    // Named so destroy() can take them off the long-lived state.
    this.handlers = {
      inbox: () => this.list.schedule(),
      timeline: (e) => { if (e.detail === this.conversation.id) this.conversation.schedule(); },
      conversation: (e) => {
        if (e.detail === this.conversation.id) this.conversation.renderHeader();
        this.list.schedule();
      },
      typing: (e) => { if (e.detail === this.conversation.id) this.conversation.renderTyping(); },
      queue: () => this.list.schedule(),
      'timeline-error': (e) => {
        if (e.detail.id === this.conversation.id && e.detail.error instanceof ApiError
            && (e.detail.error.status === 404 || e.detail.error.status === 403)) this.conversation.notFound();
      },
    };
    for (const [type, fn] of Object.entries(this.handlers)) state.addEventListener(type, fn);
    // Waiting times and typing indicators age without any event.
    this.ticker = setInterval(() => { this.list.schedule(); this.conversation.renderTyping(); }, 15_000);
    this.onVisible = () => {
      const id = this.conversation.id;
      if (id && document.visibilityState === 'visible') state.markRead(id, state.timeline(id).maxSeq);
    };
    document.addEventListener('visibilitychange', this.onVisible);
    this.update(rest, true);
  }

  update(rest, first = false) {
    const id = Number(rest[0]) || null;
    if (id === this.conversation.id && !first) return;
    if (this.conversation.id) this.state.close(this.conversation.id);
    if (!id) {
      this.conversation.empty();
      mount(this.contactEl);
      this.list.schedule();
      return;
    }
    this.conversation.show(id);
    this.state.open(id).then(() => {
      if (this.conversation.id !== id) return;
      this.conversation.renderHeader();
      this.conversation.renderMessages();
      this.contact.show(id);
    }).catch(() => { if (this.conversation.id === id) this.conversation.notFound(); });
    this.contact.show(id);
    this.list.schedule();
  }

  destroy() {
    for (const [type, fn] of Object.entries(this.handlers)) this.state.removeEventListener(type, fn);
    clearInterval(this.ticker);
    document.removeEventListener('visibilitychange', this.onVisible);
  }
}
